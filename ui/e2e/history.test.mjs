import assert from 'node:assert/strict'
import { DEMO, FAST, waitGroupIdle } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { nextResponse } from './harness/queue.mjs'
import { waitFor } from './harness/wait.mjs'

const group = DEMO.sync
const PAGE = 50

/** Every finished job the API lists for a filter, newest first, following its cursors. */
async function apiHistory(api, query = {}) {
  const jobs = []
  let before
  for (;;) {
    const page = await api.history(group.id, { ...query, limit: PAGE, before })
    jobs.push(...page.jobs)
    if (!page.has_more) return { jobs, total: page.total_count }
    before = page.next_cursor
  }
}

const cardIds = (page) =>
  page.getByTestId('history-tab').locator('[data-testid="job-card"]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-job-id')))

/** Loads every page with "Load More", checking each step, and returns the ids shown. */
async function loadAll(page, expected) {
  let shown = await waitFor(async () => {
    const ids = await cardIds(page)
    return ids.length === Math.min(PAGE, expected.length) && ids
  }, { message: 'the first history page' })
  while (shown.length < expected.length) {
    const more = nextResponse(page, 'GET', `/groups/${group.id}/history`)
    await page.getByTestId('history-load-more').click()
    const url = new URL((await more).url())
    assert.ok(url.searchParams.get('before'), 'Load More asks for the page after a cursor')
    const want = Math.min(shown.length + PAGE, expected.length)
    shown = await waitFor(async () => {
      const ids = await cardIds(page)
      return ids.length === want && ids
    }, { message: `${want} history cards after Load More` })
  }
  assert.equal(await page.getByTestId('history-load-more').count(), 0, 'Load More after the last page')
  assert.equal(new Set(shown).size, shown.length, 'a job is listed twice')
  assert.deepEqual(shown, expected.map((j) => j.id))
  return shown
}

e2eTest('history filters and Load More paging', { mode: 'demo', demoArgs: FAST, timeout: 180_000 }, async ({ page, server, api }) => {
  // With the demo's own first jobs (six, one of them requeued five times),
  // more than one page of history over all four templates.
  for (let i = 0; i < 45; i++) {
    const t = group.templates[i % group.templates.length]
    await api.enqueue(group.id, { template_id: t.id })
  }
  // History only changes while jobs finish; once the queue is empty it stays put.
  await waitGroupIdle(api, group.id, 120_000)

  const all = await apiHistory(api)
  assert.ok(all.total > PAGE, `history has ${all.total} jobs`)
  assert.equal(all.jobs.length, all.total)

  await page.goto(`${server.url}/groups/${group.id}?tab=history`)
  await page.getByTestId('history-tab').waitFor()
  await page.getByTestId('history-count').filter({ hasText: `Showing ${all.total} results` }).waitFor()
  assert.equal((await page.getByTestId('tab-history').innerText()).trim(), `History (${all.total})`)
  await loadAll(page, all.jobs)

  // Status filter: completed runs only (nine in ten; one page or two).
  const completed = await apiHistory(api, { status: 'completed' })
  await page.getByTestId('history-filter-completed').click()
  await page.waitForURL((url) => url.searchParams.get('hstatus') === 'completed')
  await page.getByTestId('history-count').filter({ hasText: `Showing ${completed.total} results` }).waitFor()
  await loadAll(page, completed.jobs)
  const statuses = await page.getByTestId('history-tab').locator('[data-testid="job-card"]').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-status')))
  assert.ok(statuses.every((s) => s === 'completed'))

  // And a label: one execution client, by the template labels.
  const besu = group.templates.find((t) => t.labels.el === 'besu')
  const filtered = await apiHistory(api, { status: 'completed', 'label.el': 'besu' })
  assert.ok(filtered.total > 0 && filtered.total < completed.total)
  await page.getByTestId('history-tab').getByRole('button', { name: 'besu', exact: true }).click()
  await page.waitForURL((url) => url.searchParams.get('hlabel.el') === 'besu')
  await page.getByTestId('history-count').filter({ hasText: `Showing ${filtered.total} results` }).waitFor()
  await loadAll(page, filtered.jobs)
  for (const j of filtered.jobs) assert.equal(j.template_id, besu.id)

  // Filters live in the address, so a reload keeps them.
  await page.reload()
  await page.getByTestId('history-count').filter({ hasText: `Showing ${filtered.total} results` }).waitFor()
  assert.equal(await page.getByTestId('history-filter-completed').getAttribute('aria-pressed'), 'true')

  await page.getByRole('button', { name: 'Clear filters' }).click()
  await page.getByTestId('history-count').filter({ hasText: `Showing ${all.total} results` }).waitFor()
  await loadAll(page, all.jobs)
})
