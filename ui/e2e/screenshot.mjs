// Takes the README's dashboard screenshot (docs/screenshots/dashboard.png)
// from `dispatchoor demo`: the simulated GitHub runs ten times faster than
// real time until both groups have some history, and the picture is taken
// while jobs are running and queued. Run with `npm run screenshot` after
// `make build`.

import { join } from 'node:path'
import { launchBrowser, saveScreenshot, signIn } from './harness/browser.mjs'
import { Api } from './harness/api.mjs'
import { USERS } from './harness/config.mjs'
import { DEMO, FAST } from './harness/demo.mjs'
import { repoRoot, ServerProcess } from './harness/server.mjs'
import { waitFor } from './harness/wait.mjs'

const OUT = join(repoRoot, 'docs', 'screenshots', 'dashboard.png')

async function main() {
  const server = new ServerProcess({ mode: 'demo', demoArgs: FAST })
  let browser
  try {
    await server.start()
    const api = await Api.login(server.url, USERS.admin)
    for (let i = 0; i < 30; i++) {
      const t = DEMO.sync.templates[i % DEMO.sync.templates.length]
      await api.enqueue(DEMO.sync.id, { template_id: t.id })
    }
    for (let i = 0; i < 12; i++) await api.enqueue(DEMO.gpu.id, { template_id: DEMO.gpu.templates[i % 3].id })
    // Some history, with work still queued and running in both groups.
    await waitFor(
      async () => {
        const done = (await api.history(DEMO.sync.id, { limit: 1 })).total_count
        const [gpu, sync] = await Promise.all([api.groupStats(DEMO.gpu.id), api.groupStats(DEMO.sync.id)])
        return done >= 15 && gpu.running_jobs > 0 && sync.running_jobs > 0 && sync.queued_jobs > 0
      },
      { timeout: 60_000, interval: 200, message: 'history with jobs still running' },
    )
    browser = await launchBrowser({ viewport: { width: 1100, height: 470 }, colorScheme: 'dark' })
    await signIn(browser.page, server.url, USERS.admin)
    for (const id of [DEMO.sync.id, DEMO.gpu.id]) {
      await browser.page.locator(`[data-testid="group-card"][data-group-id="${id}"] svg[role="img"]`).waitFor()
    }
    console.log(`wrote ${await saveScreenshot(browser.page, 'dashboard', OUT)}`)
  } finally {
    await browser?.close()
    await server.dispose()
  }
}

await main()
