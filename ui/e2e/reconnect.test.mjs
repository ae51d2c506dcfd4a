import assert from 'node:assert/strict'
import { DEMO, REAL_TIME } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { jobCard, openGroup } from './harness/queue.mjs'

const indicator = (page) => page.getByTestId('ws-status')
/** The indicator with an open socket and a given label. */
const shows = (page, label) => page.locator('[data-testid="ws-status"][data-state="open"]').filter({ hasText: label })

const group = DEMO.sync

e2eTest('the page reconnects after a server restart and catches up', { mode: 'demo', demoArgs: REAL_TIME, timeout: 90_000 }, async ({ page, server, api }) => {
  await openGroup(page, server.url, group.id)
  await shows(page, 'Live').waitFor()
  // Survives in the page only if nothing reloads it.
  await page.evaluate(() => (window.__sameDocument = true))

  await server.stop()
  await page.locator('[data-testid="ws-status"][data-state="closed"]').waitFor()
  assert.equal((await indicator(page).innerText()).trim(), 'Offline')

  await server.start()
  // Enqueued while the page is most likely still waiting to reconnect: it
  // must show up through the catch-up after the reconnect.
  const missed = await api.enqueue(group.id, { template_id: group.templates[0].id, name: 'enqueued before the reconnect' })
  await shows(page, 'Live').waitFor({ timeout: 30_000 })
  await jobCard(page, missed.id).waitFor()

  // And live updates flow again on the new connection.
  const live = await api.enqueue(group.id, { template_id: group.templates[1].id, name: 'enqueued after the reconnect' })
  await jobCard(page, live.id).waitFor()
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded')
})
