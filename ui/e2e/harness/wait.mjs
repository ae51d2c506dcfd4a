// Condition waits for the end-to-end tests. Every wait is bounded and polls a
// condition; nothing in the suite sleeps for a fixed time and hopes.

import { setTimeout as delay } from 'node:timers/promises'

/**
 * Polls check until it returns a truthy value and returns that value. A check
 * that throws counts as "not yet"; its last error is part of the timeout
 * message, which usually says more than the timeout itself.
 *
 * @template T
 * @param {() => T | Promise<T>} check
 * @param {{ timeout?: number, interval?: number, message?: string }} [opts]
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(check, { timeout = 10_000, interval = 100, message = 'a condition' } = {}) {
  const deadline = Date.now() + timeout
  let lastError
  for (;;) {
    try {
      const value = await check()
      if (value) return value
      lastError = undefined
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const why = lastError ? `: ${lastError.message ?? lastError}` : ''
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${why}`)
    }
    await delay(interval)
  }
}

/**
 * Asserts that check stays truthy for the whole of duration, polling it. It
 * is the bounded form of "nothing happens for a while": the window is the
 * claim being tested (for example that a paused group dispatches nothing even
 * though a runner is idle), not a guess at how long something takes.
 *
 * @param {() => unknown | Promise<unknown>} check
 * @param {{ duration: number, interval?: number, message?: string }} opts
 */
export async function holdsFor(check, { duration, interval = 200, message = 'a condition' }) {
  const deadline = Date.now() + duration
  while (Date.now() < deadline) {
    if (!(await check())) throw new Error(`${message} stopped holding after ${duration - (deadline - Date.now())} ms`)
    await delay(interval)
  }
}
