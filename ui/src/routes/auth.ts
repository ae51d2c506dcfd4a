// Start-up authentication: finish a GitHub sign-in if the URL carries a
// one-time code, then ask the server who we are. Runs once per page load.

import { exchangeCode, fetchMe } from '@/services/auth'
import { useAuth } from '@/stores/auth'
import { isApiError } from '@/utils/api'

let started: Promise<void> | null = null

/** Idempotent: StrictMode's second effect run gets the first run's promise. */
export function bootstrapAuth(): Promise<void> {
  started ??= runBootstrap()
  return started
}

/** For tests only. */
export function resetBootstrapForTests(): void {
  started = null
}

/**
 * Removes `code` from the address bar and returns it. It goes before the
 * exchange so that a reload or a second render can never send it twice
 * (codes are single-use; a second exchange would fail and sign the user out).
 */
export function takeCodeFromUrl(): string | null {
  const url = new URL(window.location.href)
  const code = url.searchParams.get('code')
  if (!code) return null
  url.searchParams.delete('code')
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash)
  return code
}

async function runBootstrap(): Promise<void> {
  const auth = useAuth.getState()
  const code = takeCodeFromUrl()
  if (code) {
    try {
      const res = await exchangeCode(code)
      auth.signIn(res.token, res.user)
      return
    } catch {
      // Fall through: a cookie session may still exist.
    }
  }
  try {
    auth.setUser(await fetchMe())
  } catch (err) {
    if (isApiError(err, 401) || isApiError(err, 403)) auth.signOut()
    else useAuth.setState({ status: 'anonymous', user: null })
  }
}
