import assert from 'node:assert/strict'
import { USERS, GROUP } from './harness/config.mjs'
import { e2eTest } from './harness/fixture.mjs'

e2eTest('admin signs in and sees the dashboard', { user: null, timeout: 45_000 }, async ({ page, server }) => {
  await page.goto(server.url)
  // A protected page sends an anonymous visitor to the login form.
  await page.waitForURL((url) => url.pathname === '/login')

  await page.getByTestId('login-username').fill(USERS.admin.username)
  await page.getByTestId('login-password').fill('wrong-password')
  await page.getByTestId('login-submit').click()
  await page.getByTestId('login-error').waitFor()
  assert.equal(new URL(page.url()).pathname, '/login')

  await page.getByTestId('login-password').fill(USERS.admin.password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => url.pathname === '/')
  const card = page.locator(`[data-testid="group-card"][data-group-id="${GROUP.id}"]`)
  await card.waitFor()
  assert.match(await card.innerText(), new RegExp(GROUP.name))
  await page.locator('[data-testid="ws-status"][data-state="open"]').waitFor()

  const menu = page.getByTestId('user-menu')
  assert.equal(await menu.getAttribute('aria-label'), 'Account: admin')
  await menu.click()
  // The menu names the user, the admin role and how they signed in.
  const account = page.getByTestId('sign-out').locator('xpath=..')
  assert.match(await account.innerText(), /admin\s+admin[\s\S]*basic auth/)
  await page.getByTestId('sign-out').click()
  await page.waitForURL((url) => url.pathname === '/login')

  // The session is gone on the server too: a reload stays signed out.
  await page.reload()
  await page.getByTestId('login-form').waitFor()
})
