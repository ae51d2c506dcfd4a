import assert from 'node:assert/strict'
import { DEMO, FAST } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { jobCard, openGroup, pendingIds, recordStatuses } from './harness/queue.mjs'
import { holdsFor, waitFor } from './harness/wait.mjs'

const group = DEMO.sync

e2eTest('a paused group dispatches nothing until it is resumed', { mode: 'demo', demoArgs: FAST, timeout: 120_000 }, async ({ page, server, api }) => {
  await openGroup(page, server.url, group.id)
  const statuses = await recordStatuses(page)
  const button = page.getByTestId('pause-group')
  assert.equal((await button.innerText()).trim(), 'Pause Queue')

  await button.click()
  await page.locator('[data-testid="pause-group"][data-paused="true"]').waitFor()
  await page.getByTestId('group-paused').waitFor()
  assert.equal((await button.innerText()).trim(), 'Resume Queue')
  assert.equal((await api.group(group.id)).paused, true)

  const jobs = []
  for (const t of group.templates.slice(0, 2)) jobs.push(await api.enqueue(group.id, { template_id: t.id, name: `held: ${t.name}` }))
  for (const j of jobs) {
    await jobCard(page, j.id).getByTestId('pending-reason').filter({ hasText: 'group paused' }).waitFor()
  }

  // Runs started before the pause finish and their runners turn idle; the
  // queue must still not move.
  await waitFor(async () => {
    const g = await api.groupStats(group.id)
    return g.running_jobs === 0 && g.idle_runners > 0
  }, { timeout: 60_000, interval: 250, message: 'the running jobs to finish and a runner to be idle' })
  await page.locator('[data-testid="runner-item"][data-state="idle"]').first().waitFor()
  const pendingNow = await pendingIds(page)
  for (const j of jobs) assert.ok(pendingNow.includes(j.id))

  // Ten simulated seconds per real one: five seconds with an idle runner is
  // far longer than any dispatch takes when the group is not paused.
  // Jobs queued before the pause show their new reason once the page has
  // refetched the queue (the pause itself only sends the group's state).
  await waitFor(async () => {
    const reasons = await page.getByTestId('pending-reason').allInnerTexts()
    return reasons.length >= jobs.length && reasons.every((r) => r === 'group paused')
  }, { timeout: 15_000, interval: 250, message: 'every pending job to show "group paused"' })
  await holdsFor(
    async () => {
      const g = await api.groupStats(group.id)
      const reasons = await page.getByTestId('pending-reason').allInnerTexts()
      return g.running_jobs === 0 && reasons.length >= jobs.length && reasons.every((r) => r === 'group paused')
    },
    { duration: 5_000, interval: 250, message: 'nothing dispatched while paused' },
  )
  for (const j of jobs) assert.deepEqual(await statuses(j.id), ['pending'])

  await button.click()
  await page.locator('[data-testid="pause-group"][data-paused="false"]').waitFor()
  await page.getByTestId('group-paused').waitFor({ state: 'detached' })
  // The next job in line starts.
  await waitFor(async () => {
    for (const j of jobs) if ((await statuses(j.id)).includes('running')) return true
    return false
  }, { timeout: 30_000, message: 'a held job to start running' })
  assert.equal((await api.group(group.id)).paused, false)
})
