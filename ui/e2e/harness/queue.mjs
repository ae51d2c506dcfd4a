// Page helpers for a group's queue tab.

/** @typedef {import('playwright-core').Page} Page */

/** Opens a group page on its queue tab and waits for the queue to render. */
export async function openGroup(page, baseUrl, groupId, query = '') {
  await page.goto(`${baseUrl}/groups/${encodeURIComponent(groupId)}${query}`)
  await page.getByTestId('queue-tab').waitFor()
}

/** The job card of a job id (in whichever list shows it). */
export function jobCard(page, id) {
  return page.locator(`[data-testid="job-card"][data-job-id="${id}"]`)
}

/** Ids of the pending column's cards, top to bottom. */
export function pendingIds(page) {
  return page
    .locator('section[aria-labelledby="pending-heading"] [data-testid="job-card"]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-job-id')))
}

/** Ids of the running column's cards, top to bottom. */
export function runningIds(page) {
  return page
    .locator('section[aria-labelledby="running-heading"] [data-testid="job-card"]')
    .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-job-id')))
}

/** Resolves with the response of the next matching API call. */
export function nextResponse(page, method, pathSuffix) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(pathSuffix))
}

/**
 * Records every status a job card shows, in order, from now on, including
 * its removal from the queue ("gone"). A MutationObserver in the page sees
 * short-lived states that polling from the test could miss.
 *
 * @param {Page} page
 * @param {string} id
 * @returns {Promise<() => Promise<string[]>>} reads the statuses seen so far
 */
export async function recordStatuses(page, id) {
  await page.evaluate((jobId) => {
    const seen = []
    const sample = () => {
      const card = document.querySelector(`[data-testid="job-card"][data-job-id="${jobId}"]`)
      const status = card ? card.getAttribute('data-status') : 'gone'
      if (seen[seen.length - 1] !== status) seen.push(status)
    }
    sample()
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
    window.__statuses = window.__statuses ?? {}
    window.__statuses[jobId] = seen
  }, id)
  return () => page.evaluate((jobId) => [...window.__statuses[jobId]], id)
}
