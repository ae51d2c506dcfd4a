import assert from 'node:assert/strict'
import { DEMO, FAST, REAL_TIME, isTerminal } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { addFromTemplate, jobCard, nextResponse, openGroup, recordStatuses, runningIds } from './harness/queue.mjs'
import { waitFor } from './harness/wait.mjs'

// The demo queues an auto-requeue series of the first template at start;
// adding another job of it would ask to confirm a duplicate.
const template = DEMO.sync.templates[3]

/** Statuses in the order first shown, without the "gone" that ends them. */
const order = (seen) => seen.filter((s) => s !== 'gone')

e2eTest('a job added from a template goes pending, running, completed, live', { mode: 'demo', demoArgs: FAST, timeout: 150_000 },
  async ({ page, server, api }) => {
    await openGroup(page, server.url, DEMO.sync.id)
    await page.evaluate(() => (window.__sameDocument = true))
    const statuses = await recordStatuses(page)

    // The simulator draws each run's conclusion, and the demo's sync runs
    // succeed nine times in ten. Every attempt is checked in full; a run that
    // drew a failure must show as failed, and then the next one is watched.
    let job
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Other jobs keep the four runners busy for a moment, so the new job
      // waits in the queue where it can be seen pending.
      for (let i = 0; i < 8; i++) await api.enqueue(DEMO.sync.id, { template_id: DEMO.sync.templates[1].id, name: `filler ${attempt}.${i}` })
      job = await addFromTemplate(page, DEMO.sync.id, template.name)
      assert.equal(job.status, 'pending')
      assert.equal(job.template_id, template.id)

      await waitFor(async () => (await statuses(job.id)).at(-1) === 'gone', { timeout: 60_000, message: `job ${job.id} to leave the queue` })
      const seen = order(await statuses(job.id))
      assert.equal(seen[0], 'pending', `first status shown: ${seen}`)
      assert.ok(seen.indexOf('running') > 0, `running shown after pending: ${seen}`)
      const done = await waitFor(async () => {
        const j = await api.job(job.id)
        return isTerminal(j.status) && j
      }, { message: `job ${job.id} finished` })
      assert.notEqual(done.status, 'cancelled')
      if (done.status === 'completed') break
      assert.equal(done.status, 'failed')
      assert.match(done.error_message, /^Workflow (failure|timed_out)$/)
    }

    // The finished job is in the history tab, as completed, without a reload.
    await page.getByTestId('tab-history').click()
    const card = jobCard(page, job.id)
    await card.waitFor()
    assert.equal(await card.getAttribute('data-status'), (await api.job(job.id)).status)
    assert.equal(await card.getAttribute('data-status'), 'completed', 'three runs in a row drew a failure')
    assert.ok(await card.getByTestId('job-runner').isVisible(), 'the runner that ran it is shown')
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded')
  })

e2eTest('cancel a running job', { mode: 'demo', demoArgs: REAL_TIME, timeout: 120_000 }, async ({ page, server, api }) => {
  // First in line for the next free runner; at real time a run takes at
  // least 10 s, which leaves time to cancel it while it runs.
  const job = await api.enqueue(DEMO.sync.id, { template_id: template.id, priority: 1000, name: 'cancel me' })
  await openGroup(page, server.url, DEMO.sync.id)
  const card = jobCard(page, job.id)
  await page.locator(`[data-testid="job-card"][data-job-id="${job.id}"][data-status="running"]`).waitFor({ timeout: 60_000 })
  assert.ok((await runningIds(page)).includes(job.id))

  await card.getByTestId('job-cancel').click()
  const confirm = page.getByTestId('confirm-dialog')
  // The dialog names the job and the runner it is on.
  assert.match(await confirm.innerText(), /cancel me[\s\S]*running on/)
  const cancelled = nextResponse(page, 'POST', `/jobs/${job.id}/cancel`)
  await confirm.getByTestId('confirm-ok').click()
  assert.equal((await cancelled).status(), 200)
  await confirm.waitFor({ state: 'detached' })

  // The run is cancelled on GitHub, the job leaves the running column and
  // shows up in history as cancelled.
  await card.waitFor({ state: 'detached', timeout: 30_000 })
  const final = await waitFor(async () => {
    const j = await api.job(job.id)
    return isTerminal(j.status) && j
  }, { timeout: 30_000, message: 'the job to finish' })
  assert.equal(final.status, 'cancelled')
  await page.getByTestId('tab-history').click()
  await page.locator(`[data-testid="job-card"][data-job-id="${job.id}"][data-status="cancelled"]`).waitFor()
})
