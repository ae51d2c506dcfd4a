import assert from 'node:assert/strict'
import { waitLive } from './harness/browser.mjs'
import { e2eTest } from './harness/fixture.mjs'

// `dispatchoor demo` offers GitHub sign-in against its simulator: its config
// has [auth.github] enabled with the simulator's demo OAuth app
// (sim.DemoOAuthClient / sim.DemoOAuthSecret), github.api_url at the
// simulator, and user_role_mapping { demo-admin = "admin" }. The simulator's
// authorize page approves at once as its first user, demo-admin.
const GITHUB_USER = 'demo-admin'

e2eTest('signing in with GitHub lands on the requested page with the mapped role', { mode: 'demo', user: null, timeout: 60_000 },
  async ({ page, server, api }) => {
    await page.goto(`${server.url}/runners`)
    await page.waitForURL((url) => url.pathname === '/login')
    const button = page.getByTestId('login-github')
    assert.equal((await button.innerText()).trim(), 'Sign in with GitHub')
    await button.click()

    // Out to GitHub (the simulator) and back; the UI trades the one-time
    // code for a session and takes it out of the address bar.
    await page.waitForURL((url) => url.origin === server.url && url.pathname === '/runners' && !url.searchParams.has('code'))
    await page.getByTestId('runner-summary').waitFor()
    await waitLive(page)

    const menu = page.getByTestId('user-menu')
    assert.equal(await menu.getAttribute('aria-label'), `Account: ${GITHUB_USER}`)
    await menu.click()
    const account = page.getByTestId('sign-out').locator('xpath=..')
    assert.match(await account.innerText(), new RegExp(`${GITHUB_USER}\\s+admin[\\s\\S]*github auth`))
    await page.keyboard.press('Escape')

    // The role is the server's, not the page's: an admin-only route answers
    // for the session the browser holds.
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/v1/audit?limit=1', { credentials: 'include' })
      return r.status
    })
    assert.equal(res, 200)

    // The dashboard offers an admin's controls.
    await page.goto(server.url)
    const group = (await api.groups())[0]
    await page.locator(`[data-testid="group-card"][data-group-id="${group.id}"]`).waitFor()
    await page.goto(`${server.url}/groups/${group.id}`)
    await page.getByTestId('add-job').waitFor()
  })
