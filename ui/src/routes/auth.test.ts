import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAuth } from '@/stores/auth'
import { mockFetch, pathOf } from '@/test/fetchMock'
import { getToken } from '@/utils/token'
import { bootstrapAuth, resetBootstrapForTests } from './auth'

const user = { id: 'u1', username: 'octo', role: 'admin', auth_provider: 'github' }

beforeEach(() => {
  resetBootstrapForTests()
  useAuth.setState({ status: 'checking', user: null })
})
afterEach(() => window.history.replaceState(null, '', '/'))

describe('bootstrapAuth', () => {
  it('removes ?code= from the URL before exchanging it, exactly once', async () => {
    window.history.replaceState(null, '', '/groups/g1?code=abc123&tab=history')
    const seenUrls: string[] = []
    const { calls } = mockFetch((c) => {
      seenUrls.push(window.location.search)
      if (pathOf(c) === '/api/v1/auth/exchange') return { body: { token: 'tok-1', user } }
      return { status: 500, body: { error: 'unexpected' } }
    })
    await Promise.all([bootstrapAuth(), bootstrapAuth()])
    expect(calls.map((c) => [c.method, pathOf(c), c.body])).toEqual([['POST', '/api/v1/auth/exchange', { code: 'abc123' }]])
    expect(seenUrls[0]).toBe('?tab=history')
    expect(window.location.pathname + window.location.search).toBe('/groups/g1?tab=history')
    expect(getToken()).toBe('tok-1')
    expect(useAuth.getState()).toMatchObject({ status: 'authenticated', user })
  })

  it('checks the session with /auth/me when there is no code', async () => {
    mockFetch(() => ({ body: user }))
    await bootstrapAuth()
    expect(useAuth.getState().status).toBe('authenticated')
  })

  it('is anonymous when the session is not valid', async () => {
    localStorage.setItem('auth_token', 'stale')
    mockFetch(() => ({ status: 401, body: { error: 'Unauthorized' } }))
    await bootstrapAuth()
    expect(useAuth.getState().status).toBe('anonymous')
    expect(getToken()).toBeNull()
  })
})
