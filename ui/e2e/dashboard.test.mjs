import assert from 'node:assert/strict'
import { DEMO, REAL_TIME } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { waitFor } from './harness/wait.mjs'

const card = (page, id) => page.locator(`[data-testid="group-card"][data-group-id="${id}"]`)

/** The number a group card shows under a label (Running, Queued, Busy, Idle). */
const stat = (page, id, label) =>
  card(page, id).evaluate((el, name) => {
    const dt = [...el.querySelectorAll('dt')].find((d) => d.textContent.trim() === name)
    return Number(dt?.previousElementSibling?.textContent)
  }, label)

e2eTest('the dashboard shows every group with live counters', { mode: 'demo', demoArgs: REAL_TIME, timeout: 90_000 }, async ({ page, server, api }) => {
  await page.evaluate(() => (window.__sameDocument = true))
  for (const g of await api.groups()) {
    const text = await card(page, g.id).innerText()
    assert.match(text, new RegExp(g.name))
    assert.match(text, new RegExp(`${g.template_count} job templates`))
    for (const label of g.runner_labels) assert.ok(text.includes(label), `${g.id} card lacks label ${label}`)
  }
  // The counters agree with the API once both have settled on the same moment.
  await waitFor(async () => {
    const g = await api.groupStats(DEMO.sync.id)
    return (await stat(page, DEMO.sync.id, 'Running')) === g.running_jobs && (await stat(page, DEMO.sync.id, 'Queued')) === g.queued_jobs
  }, { timeout: 20_000, message: 'the sync card to match the API' })

  // Changes made elsewhere show up without a reload: a pause, and queued jobs.
  const gpu = DEMO.gpu.id
  await api.pauseGroup(gpu)
  await card(page, gpu).getByText('Paused', { exact: true }).waitFor()
  const queued = await stat(page, gpu, 'Queued')
  for (let i = 0; i < 2; i++) await api.enqueue(gpu, { template_id: DEMO.gpu.templates[2].id, name: `extra ${i}` })
  await waitFor(async () => (await stat(page, gpu, 'Queued')) === queued + 2, { message: 'the gpu queue count to grow by two' })
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded')

  await card(page, DEMO.sync.id).click()
  await page.waitForURL((url) => url.pathname === `/groups/${DEMO.sync.id}`)
  await page.getByTestId('queue-tab').waitFor()
})
