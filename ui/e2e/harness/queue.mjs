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
  const response = page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(pathSuffix))
  // The caller awaits it after acting; a timeout then fails that await
  // instead of surfacing early as an unhandled rejection.
  response.catch(() => {})
  return response
}

/**
 * Records, from now on and in order, every status that each job card shows,
 * including its removal from the page ("gone"). A MutationObserver in the
 * page sees short-lived states that polling from the test could miss, and it
 * follows cards that appear later, such as a job added through a dialog.
 *
 * @param {Page} page
 * @returns {Promise<(id: string) => Promise<string[]>>} the statuses one job has shown so far
 */
export async function recordStatuses(page) {
  await page.evaluate(() => {
    const seen = (window.__statuses = {})
    const sample = () => {
      const now = new Map()
      for (const card of document.querySelectorAll('[data-testid="job-card"]')) {
        now.set(card.getAttribute('data-job-id'), card.getAttribute('data-status'))
      }
      for (const id of Object.keys(seen)) if (!now.has(id)) now.set(id, 'gone')
      for (const [id, status] of now) {
        const list = (seen[id] ??= [])
        if (list[list.length - 1] !== status) list.push(status)
      }
    }
    sample()
    new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] })
  })
  return (id) => page.evaluate((jobId) => [...(window.__statuses[jobId] ?? [])], id)
}

/**
 * Adds a job through the group page's "Add Job → From Template" dialog and
 * returns the job the server created.
 *
 * @param {Page} page
 * @param {string} groupId
 * @param {string} templateName as the dialog lists it
 */
export async function addFromTemplate(page, groupId, templateName) {
  await page.getByTestId('add-job').click()
  await page.getByTestId('add-job-template').click()
  const dialog = page.getByTestId('add-from-template')
  await dialog.getByTestId('template-search').fill(templateName)
  await dialog.getByTestId('template-option').filter({ hasText: templateName }).click()
  if (await dialog.getByTestId('duplicate-warning').isVisible()) {
    throw new Error(`${templateName} already has an auto-requeue job queued; the dialog asks to confirm a duplicate`)
  }
  const created = nextResponse(page, 'POST', `/groups/${groupId}/queue`)
  await dialog.getByTestId('add-job-submit').click()
  const res = await created
  if (res.status() !== 201) throw new Error(`add job: HTTP ${res.status()} ${await res.text()}`)
  await dialog.waitFor({ state: 'detached' })
  return res.json()
}
