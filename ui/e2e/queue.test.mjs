import assert from 'node:assert/strict'
import { GROUP, TEMPLATES } from './harness/config.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { jobCard, nextResponse, openGroup, pendingIds } from './harness/queue.mjs'
import { waitFor } from './harness/wait.mjs'

/** Enqueues named jobs through the API and returns their ids in queue order. */
async function enqueue(api, names) {
  const ids = []
  for (const name of names) ids.push((await api.enqueue(GROUP.id, { template_id: TEMPLATES.sync.id, name })).id)
  return ids
}

const queueOrder = async (api) =>
  (await api.queue(GROUP.id))
    .filter((j) => j.status === 'pending')
    .sort((a, b) => a.position - b.position)
    .map((j) => j.id)

e2eTest('drag a pending job to a new place, by pointer and by keyboard', { timeout: 90_000 }, async ({ page, server, api }) => {
  const [a, b, c] = await enqueue(api, ['first', 'second', 'third'])
  await openGroup(page, server.url, GROUP.id)
  await waitFor(async () => (await pendingIds(page)).length === 3, { message: 'three pending cards' })
  assert.deepEqual(await pendingIds(page), [a, b, c])

  // Pointer: lift "third" by its handle and drop it on "first", moving in
  // steps as a hand would (the sensor starts after 5 px).
  const handle = jobCard(page, c).getByTestId('drag-handle')
  const from = await handle.boundingBox()
  const to = await jobCard(page, a).boundingBox()
  const reordered = nextResponse(page, 'PUT', '/queue/reorder')
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
  await page.mouse.down()
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 10, { steps: 3 })
  await page.mouse.move(from.x + from.width / 2, to.y + 5, { steps: 15 })
  await page.mouse.up()
  assert.equal((await reordered).status(), 204)
  assert.deepEqual(await pendingIds(page), [c, a, b])
  assert.deepEqual(await queueOrder(api), [c, a, b])

  await page.reload()
  await page.getByTestId('queue-tab').waitFor()
  await waitFor(async () => (await pendingIds(page)).length === 3, { message: 'pending cards after reload' })
  assert.deepEqual(await pendingIds(page), [c, a, b])

  // Keyboard: focus "second"'s handle, Space lifts it, ArrowUp moves it
  // over "first", Space drops it.
  const keyHandle = jobCard(page, b).getByTestId('drag-handle')
  await keyHandle.focus()
  await page.keyboard.press('Space')
  await page.locator(`[data-testid="job-card"][data-job-id="${b}"] [data-testid="drag-handle"][aria-pressed="true"]`).waitFor()
  await page.keyboard.press('ArrowUp')
  await page.getByText(`was moved over droppable area ${a}`).waitFor({ state: 'attached' })
  const dropped = nextResponse(page, 'PUT', '/queue/reorder')
  await page.keyboard.press('Space')
  assert.equal((await dropped).status(), 204)
  assert.deepEqual(await queueOrder(api), [c, b, a])

  await page.reload()
  await page.getByTestId('queue-tab').waitFor()
  await waitFor(async () => (await pendingIds(page)).length === 3, { message: 'pending cards after the second reload' })
  assert.deepEqual(await pendingIds(page), [c, b, a])
  // Positions shown on the cards follow the new order.
  const positions = await page.getByTestId('job-position').allInnerTexts()
  assert.deepEqual(positions, ['#0', '#1', '#2'])
})

e2eTest('edit the inputs of a pending job in its detail dialog', { timeout: 60_000 }, async ({ page, server, api }) => {
  const job = await api.enqueue(GROUP.id, { template_id: TEMPLATES.sync.id })
  await openGroup(page, server.url, GROUP.id)
  const card = jobCard(page, job.id)
  await card.getByTestId('badge-template').waitFor()

  await card.getByTestId('job-details').click()
  const dialog = page.getByTestId('job-detail')
  await dialog.waitFor()
  const client = dialog.getByTestId('input-client')
  assert.equal(await client.inputValue(), 'geth')
  assert.equal(await dialog.getByTestId('job-save').isDisabled(), true, 'nothing to save before an edit')

  await client.fill('nethermind')
  const saved = nextResponse(page, 'PUT', `/jobs/${job.id}`)
  await dialog.getByTestId('job-save').click()
  const res = await saved
  assert.equal(res.status(), 200)
  assert.deepEqual(JSON.parse(res.request().postData()).inputs, { client: 'nethermind', network: 'mainnet' })
  // Saved: the form is clean again and marks the input as differing from the template default.
  await waitFor(() => dialog.getByTestId('job-save').isDisabled(), { message: 'save button disabled after saving' })
  await dialog.getByText('default: geth').waitFor()

  assert.deepEqual((await api.job(job.id)).inputs, { client: 'nethermind', network: 'mainnet' })

  await page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })
  // The card no longer counts as a pure template job.
  await card.getByTestId('badge-template').waitFor({ state: 'detached' })

  await page.reload()
  await jobCard(page, job.id).getByTestId('job-details').click()
  await page.getByTestId('job-detail').waitFor()
  assert.equal(await page.getByTestId('job-detail').getByTestId('input-client').inputValue(), 'nethermind')
  assert.equal(await page.getByTestId('job-detail').getByTestId('input-network').inputValue(), 'mainnet')
})
