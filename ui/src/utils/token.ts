// The session token lives in localStorage under the reference key so that an
// existing browser session keeps working. The HttpOnly `session` cookie is the
// other transport; it needs no handling here beyond `credentials: 'include'`.

const TOKEN_KEY = 'auth_token'

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function setToken(token: string): void {
  try {
    localStorage.setItem(TOKEN_KEY, token)
  } catch {
    // Storage can be disabled (private mode); the cookie still authenticates.
  }
}

export function clearToken(): void {
  try {
    localStorage.removeItem(TOKEN_KEY)
  } catch {
    // Nothing to clear.
  }
}
