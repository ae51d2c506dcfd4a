import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { useAuth } from '@/stores/auth'
import { mockFetch, pathOf } from '@/test/fetchMock'
import { renderWithClient } from '@/test/render'
import { getToken } from '@/utils/token'
import { LoginPage } from './LoginPage'

beforeEach(() => useAuth.setState({ status: 'anonymous', user: null }))

const health = (basic: boolean, github: boolean) => ({ body: { status: 'ok', config: { auth: { basic, github } } } })

describe('LoginPage', () => {
  it('shows both methods when both are enabled', async () => {
    mockFetch(() => health(true, true))
    renderWithClient(<LoginPage />)
    expect(await screen.findByTestId('login-form')).toBeInTheDocument()
    expect(screen.getByTestId('login-github')).toHaveTextContent('Sign in with GitHub')
    expect(screen.getByText('Or continue with')).toBeInTheDocument()
  })

  it('hides the GitHub button when only basic auth is on', async () => {
    mockFetch(() => health(true, false))
    renderWithClient(<LoginPage />)
    expect(await screen.findByTestId('login-form')).toBeInTheDocument()
    expect(screen.queryByTestId('login-github')).not.toBeInTheDocument()
  })

  it('signs in and stores the token', async () => {
    const user = { id: 'u', username: 'admin', role: 'admin', auth_provider: 'basic' }
    const { calls } = mockFetch((c) => (pathOf(c) === '/health' ? health(true, false) : { body: { token: 't0k', user } }))
    renderWithClient(<LoginPage />)
    await userEvent.type(await screen.findByTestId('login-username'), 'admin')
    await userEvent.type(screen.getByTestId('login-password'), 'secret')
    await userEvent.click(screen.getByTestId('login-submit'))
    expect(calls.find((c) => pathOf(c) === '/api/v1/auth/login')?.body).toEqual({ username: 'admin', password: 'secret' })
    expect(getToken()).toBe('t0k')
    expect(useAuth.getState().status).toBe('authenticated')
  })

  it('shows the server error for bad credentials', async () => {
    mockFetch((c) => (pathOf(c) === '/health' ? health(true, false) : { status: 401, body: { error: 'Invalid credentials' } }))
    renderWithClient(<LoginPage />)
    await userEvent.type(await screen.findByTestId('login-username'), 'x')
    await userEvent.type(screen.getByTestId('login-password'), 'y')
    await userEvent.click(screen.getByTestId('login-submit'))
    expect(await screen.findByTestId('login-error')).toHaveTextContent('Invalid credentials')
  })

  it('says when the API cannot be reached', async () => {
    mockFetch(() => Promise.reject(new TypeError('Failed to fetch')))
    renderWithClient(<LoginPage />)
    expect(await screen.findByTestId('login-api-error')).toHaveTextContent('Unable to connect to API server')
  })
})
