import assert from 'node:assert/strict'
import { DEMO, REAL_TIME } from './harness/demo.mjs'
import { e2eTest } from './harness/fixture.mjs'
import { openGroup } from './harness/queue.mjs'
import { waitFor } from './harness/wait.mjs'

/** The state the dashboard derives from a runner. */
const stateOf = (r) => (r.status !== 'online' ? 'offline' : r.busy ? 'busy' : 'idle')

/** A name → state map as text, independent of order. */
const canonical = (states) => JSON.stringify(Object.entries(states).sort())

const rowStates = (page) =>
  page.getByTestId('runner-row').evaluateAll((rows) =>
    Object.fromEntries(rows.map((r) => [r.querySelector('td')?.textContent?.trim(), r.getAttribute('data-state')])),
  )

e2eTest('the runners page lists every runner and follows their state', { mode: 'demo', demoArgs: REAL_TIME, timeout: 120_000 },
  async ({ page, server, api }) => {
    await page.evaluate(() => (window.__sameDocument = true))
    await page.getByRole('link', { name: 'All Runners' }).click()
    await page.waitForURL((url) => url.pathname === '/runners')

    const runners = await api.runners()
    assert.equal(runners.length, DEMO.sync.runners + DEMO.gpu.runners)
    await waitFor(async () => (await page.getByTestId('runner-row').count()) === runners.length, { message: 'a row per runner' })
    assert.deepEqual(Object.keys(await rowStates(page)).sort(), runners.map((r) => r.name).sort())

    // What the page shows agrees with the API (both move, so compare until they meet).
    const agree = async () => {
      const expected = Object.fromEntries((await api.runners()).map((r) => [r.name, stateOf(r)]))
      const shown = await rowStates(page)
      return canonical(shown) === canonical(expected) && shown
    }
    const first = await waitFor(agree, { timeout: 20_000, message: 'runner states to match the API' })
    const summary = await page.getByTestId('runner-summary').innerText()
    const count = (s) => Object.values(first).filter((x) => x === s).length
    assert.match(summary, new RegExp(`${count('idle')}\\s+Idle\\s+${count('busy')}\\s+Busy\\s+${runners.length}\\s+Total`))
    const gpuRow = page.getByTestId('runner-row').filter({ hasText: 'gpu-runner-1' })
    assert.match(await gpuRow.innerText(), /linux[\s\S]*self-hosted[\s\S]*gpu/)

    // Runs start and finish all the time in the demo: a runner changes state
    // on the page without a reload, and the page keeps agreeing with the API.
    await waitFor(async () => canonical(await rowStates(page)) !== canonical(first), {
      timeout: 60_000,
      interval: 250,
      message: 'a runner to change state on the page',
    })
    await waitFor(agree, { timeout: 20_000, message: 'runner states to match the API again' })
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was reloaded')

    // A group page lists only the runners whose labels match the group.
    await openGroup(page, server.url, DEMO.gpu.id)
    await waitFor(async () => (await page.getByTestId('runner-item').count()) === DEMO.gpu.runners, { message: 'the gpu runners' })
    const names = await page.getByTestId('runner-item').allInnerTexts()
    assert.ok(names.every((n) => n.includes('gpu-runner-')), `runners on the gpu page: ${names}`)
  })
