import assert from 'node:assert/strict'
import { DEMO, REAL_TIME } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { jobCard, openGroup } from './harness/queue.mjs'

// Names of controls that change something. A read-only user must see none.
const MUTATING = /^(pause|resume|add|cancel|remove|reload|select|save|discard|delete|enable|disable|drag)\b/i

/** Accessible names of every visible button and checkbox on the page. */
const controlNames = (page) =>
  page.locator('button:visible, input[type="checkbox"]:visible, [role="button"]:visible').evaluateAll((els) =>
    els.map((el) => (el.getAttribute('aria-label') || el.textContent || '').trim()),
  )

const TESTIDS = [
  'add-job', 'pause-group', 'drag-handle', 'job-cancel', 'job-remove', 'job-pause', 'job-resume',
  'job-toggle-requeue', 'select-pending', 'select-running', 'reload-templates', 'template-add',
  'templates-select', 'job-save', 'job-discard',
]

async function assertReadOnly(page, where) {
  const names = await controlNames(page)
  const offending = names.filter((n) => MUTATING.test(n))
  assert.deepEqual(offending, [], `mutating controls on ${where}`)
  for (const id of TESTIDS) assert.equal(await page.getByTestId(id).count(), 0, `${id} on ${where}`)
}

const group = DEMO.sync

e2eTest('a read-only user finds no control that changes anything', { mode: 'demo', demoArgs: REAL_TIME, user: 'viewer', timeout: 120_000 }, async ({ page, server, api }) => {
  // Paused jobs stay pending, where an admin could edit, reorder, pause or
  // remove them; the demo's own runs fill the running column, where an admin
  // could cancel them, and then the history.
  const pending = []
  for (const name of ['visible to the viewer', 'also visible']) {
    const job = await api.enqueue(group.id, { template_id: group.templates[0].id, name })
    await api.pauseJob(job.id)
    pending.push(job)
  }
  await page.locator(`[data-testid="group-card"][data-group-id="${group.id}"]`).waitFor()
  await assertReadOnly(page, 'the dashboard')
  assert.equal(await page.getByRole('link', { name: 'Audit' }).count(), 0, 'audit link for a viewer')

  await openGroup(page, server.url, group.id)
  for (const job of pending) await page.locator(`[data-testid="job-card"][data-job-id="${job.id}"][data-status="pending"]`).waitFor()
  await page.locator('[data-testid="job-card"][data-status="running"]').first().waitFor({ timeout: 30_000 })
  await assertReadOnly(page, 'the queue tab')
  assert.equal(await page.getByText('(drag to reorder)').count(), 0)

  // The detail dialog shows the inputs as text, not as fields.
  await jobCard(page, pending[0].id).getByTestId('job-details').click()
  const dialog = page.getByTestId('job-detail')
  await dialog.waitFor()
  await dialog.getByText('geth', { exact: true }).waitFor()
  assert.equal(await dialog.locator('input, textarea').count(), 0, 'editable fields in the detail dialog')
  await assertReadOnly(page, 'the job detail dialog')
  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })

  await page.getByTestId('tab-history').click()
  await page.getByTestId('history-tab').locator('[data-testid="job-card"]').first().waitFor({ timeout: 60_000 })
  await assertReadOnly(page, 'the history tab')

  await page.getByTestId('tab-templates').click()
  await page.getByTestId('template-card').first().waitFor()
  await assertReadOnly(page, 'the templates tab')

  await page.goto(`${server.url}/runners`)
  await page.getByTestId('runner-row').first().waitFor()
  await assertReadOnly(page, 'the runners page')
})
