// One end-to-end test: a fresh server process, a fresh browser, an API
// client, and a screenshot at the end whatever happened. Failures carry the
// server log and the page's uncaught errors.

import { test } from 'node:test'
import { Api } from './api.mjs'
import { launchBrowser, saveScreenshot, signIn } from './browser.mjs'
import { USERS } from './config.mjs'
import { ServerProcess } from './server.mjs'

/**
 * @typedef {object} E2EContext
 * @property {ServerProcess} server
 * @property {Api} api          an admin session
 * @property {import('playwright-core').Page} page
 * @property {import('playwright-core').BrowserContext} context
 * @property {(user?: {username: string, password: string}) => Promise<void>} signIn
 */

/**
 * Declares a test with its own server and browser.
 *
 * @param {string} name
 * @param {{ timeout?: number, mode?: 'server' | 'demo', demoArgs?: string[], user?: 'admin' | 'viewer' | null,
 *           screenshot?: string }} opts
 *   user: who is signed in before the body runs (null: nobody);
 *   screenshot: file name under e2e/screenshots/ (default: from the test name).
 * @param {(ctx: E2EContext) => Promise<void>} body
 */
export function e2eTest(name, opts, body) {
  const { timeout = 60_000, mode = 'server', demoArgs = [], user = 'admin' } = opts
  const shot = opts.screenshot ?? name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
  test(name, { timeout }, async () => {
    const server = new ServerProcess({ mode, demoArgs })
    let browser
    let failed = false
    const pageErrors = []
    try {
      await server.start()
      const api = await Api.login(server.url, USERS.admin)
      browser = await launchBrowser()
      const { page, context } = browser
      page.on('pageerror', (err) => pageErrors.push(err))
      const ctx = {
        server,
        api,
        page,
        context,
        signIn: (u = USERS.admin) => signIn(page, server.url, u),
      }
      if (user) await ctx.signIn(USERS[user])
      await body(ctx)
      // An uncaught exception in the page is a bug even when the visible
      // result happened to be right.
      if (pageErrors.length > 0) throw new Error(`uncaught errors in the page:\n${pageErrors.map((e) => e.stack ?? e).join('\n')}`)
    } catch (err) {
      failed = true
      if (pageErrors.length > 0) err.message += `\n--- page errors ---\n${pageErrors.join('\n')}`
      throw server.withLog(err)
    } finally {
      if (browser) {
        await saveScreenshot(browser.page, shot).catch(() => {})
        await browser.close()
      }
      // A failed test keeps its data directory for a look at the journal;
      // a shutdown failure after a failed test must not hide the first error.
      await server.dispose({ keep: failed }).catch((err) => {
        if (!failed) throw err
      })
    }
  })
}
