import assert from 'node:assert/strict'
import { GROUP, TEMPLATES } from './harness/config.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { jobCard, openGroup } from './harness/queue.mjs'

const indicator = (page) => page.getByTestId('ws-status')

e2eTest('the page reconnects after a server restart and catches up', { timeout: 90_000 }, async ({ page, server, api }) => {
  await openGroup(page, server.url, GROUP.id)
  await page.locator('[data-testid="ws-status"][data-state="open"]').waitFor()
  const labelBefore = (await indicator(page).innerText()).trim()
  assert.notEqual(labelBefore, 'Offline')
  // Survives in the page only if nothing reloads it.
  await page.evaluate(() => (window.__sameDocument = true))

  await server.stop()
  await page.locator('[data-testid="ws-status"][data-state="closed"]').waitFor()
  assert.equal((await indicator(page).innerText()).trim(), 'Offline')

  await server.start()
  // Enqueued while the page is most likely still waiting to reconnect: it
  // must show up through the catch-up after the reconnect.
  const missed = await api.enqueue(GROUP.id, { template_id: TEMPLATES.sync.id, name: 'enqueued before the reconnect' })
  await page.locator('[data-testid="ws-status"][data-state="open"]').waitFor({ timeout: 30_000 })
  assert.equal((await indicator(page).innerText()).trim(), labelBefore)
  await jobCard(page, missed.id).waitFor()

  // And live updates flow again on the new connection.
  const live = await api.enqueue(GROUP.id, { template_id: TEMPLATES.bench.id, name: 'enqueued after the reconnect' })
  await jobCard(page, live.id).waitFor()
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded')
})
