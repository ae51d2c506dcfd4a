// Headless Debian Chromium driven by playwright-core. Browsers cannot be
// downloaded here, so the suite uses the system Chromium ($CHROMIUM_PATH or
// /usr/bin/chromium) with a fresh profile per test.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots')

// Quiet, reproducible Chromium: no GPU, no QUIC, and none of the background
// services that would phone home or update components during a test.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * Launches Chromium with a fresh user-data-dir and returns its context and
 * first page. close() ends the browser and removes the profile.
 *
 * @param {{ viewport?: { width: number, height: number }, colorScheme?: 'light' | 'dark' }} [opts]
 */
export async function launchBrowser({ viewport = { width: 1440, height: 900 }, colorScheme = 'light' } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'dispatchoor-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport,
    colorScheme,
    // Times in the dashboard are rendered in the browser's zone; fix it so
    // screenshots do not depend on the machine.
    timezoneId: 'UTC',
    locale: 'en-GB',
  })
  context.setDefaultTimeout(10_000)
  context.setDefaultNavigationTimeout(15_000)
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      try {
        await context.close()
      } finally {
        rmSync(profile, { recursive: true, force: true })
      }
    },
  }
}

/**
 * Signs in through the login form and waits until the dashboard's live
 * connection is open, so later steps see live updates.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} baseUrl
 * @param {{ username: string, password: string }} user
 */
export async function signIn(page, baseUrl, { username, password }) {
  await page.goto(`${baseUrl}/login`)
  await page.getByTestId('login-username').fill(username)
  await page.getByTestId('login-password').fill(password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => url.pathname !== '/login')
  await waitLive(page)
}

/** Waits for the header's status indicator to show an open WebSocket ("Live"). */
export async function waitLive(page, timeout = 15_000) {
  await page.locator('[data-testid="ws-status"][data-state="open"]').waitFor({ timeout })
}

/** Saves a screenshot of the viewport under e2e/screenshots/ (or to an explicit path). */
export async function saveScreenshot(page, name, path = join(screenshotDir, `${name}.png`)) {
  mkdirSync(dirname(path), { recursive: true })
  await page.screenshot({ path, animations: 'disabled' })
  return path
}
