import { QueryClientProvider } from '@tanstack/react-query'
import { act, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { MemoryRouter, Route, Routes } from 'react-router'
import { createLive } from '@/live/createLive'
import { LiveProvider } from '@/live/LiveProvider'
import { useAuth } from '@/stores/auth'
import { group } from '@/test/factories/group'
import { socketFactory } from '@/test/fakeSocket'
import { mockFetch, pathOf } from '@/test/fetchMock'
import { testQueryClient } from '@/test/render'
import { Layout } from './Layout'

function setup(role = 'admin') {
  localStorage.setItem('auth_token', 'tok')
  useAuth.setState({ status: 'authenticated', user: { id: 'u', username: 'octo', role, auth_provider: 'github' } })
  const { calls } = mockFetch((c) => {
    const path = pathOf(c)
    if (path === '/api/v1/groups') return { body: [group({ id: 'g1', name: 'Sync Tests', running_jobs: 2, queued_jobs: 5 })] }
    if (path === '/api/v1/status') return { body: { status: 'degraded', timestamp: '' } }
    if (path === '/api/v1/auth/logout') return { status: 204 }
    return { status: 404, body: { error: 'not found' } }
  })
  const sockets = socketFactory()
  const qc = testQueryClient()
  const live = createLive(qc, { createSocket: sockets.create, url: () => 'ws://x/ws' })
  render(
    <QueryClientProvider client={qc}>
      <LiveProvider live={live} active>
        <MemoryRouter initialEntries={['/']}>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<p>home</p>} />
            </Route>
            <Route path="/login" element={<p>login page</p>} />
          </Routes>
        </MemoryRouter>
      </LiveProvider>
    </QueryClientProvider>,
  )
  return { calls, sockets }
}

beforeEach(() => useAuth.setState({ status: 'checking', user: null }))

describe('Layout', () => {
  it('follows all groups and shows the connection in the status indicator', async () => {
    const { sockets } = setup()
    expect(screen.getByTestId('ws-status')).toHaveTextContent('Connecting')
    act(() => sockets.last().open())
    expect(sockets.last().sentOfType('subscribe')).toEqual([{ type: 'subscribe', group_id: '*' }])
    expect(await screen.findByText('Degraded')).toBeInTheDocument()
    act(() => sockets.last().drop())
    expect(screen.getByTestId('ws-status')).toHaveTextContent('Offline')
  })

  it('lists groups with their counters and the admin-only audit link', async () => {
    setup()
    const link = await screen.findByTestId('sidebar-group')
    expect(link).toHaveTextContent('Sync Tests25')
    expect(screen.getAllByRole('link', { name: /Audit/ }).length).toBeGreaterThan(0)
  })

  it('has no audit link for read-only users', async () => {
    setup('readonly')
    await screen.findByTestId('sidebar-group')
    expect(screen.queryByRole('link', { name: /Audit/ })).not.toBeInTheDocument()
  })

  it('signs out: server session and local token', async () => {
    const { calls, sockets } = setup()
    act(() => sockets.last().open())
    await userEvent.click(screen.getByTestId('user-menu'))
    expect(screen.getByText('github auth')).toBeInTheDocument()
    await userEvent.click(screen.getByTestId('sign-out'))
    expect(await screen.findByText('login page')).toBeInTheDocument()
    expect(calls.some((c) => c.method === 'POST' && pathOf(c) === '/api/v1/auth/logout')).toBe(true)
    expect(localStorage.getItem('auth_token')).toBeNull()
    expect(useAuth.getState().status).toBe('anonymous')
  })

  it('cycles the theme', async () => {
    setup()
    const toggle = screen.getByTestId('theme-toggle')
    const first = toggle.dataset.mode
    await userEvent.click(toggle)
    expect(screen.getByTestId('theme-toggle').dataset.mode).not.toBe(first)
  })
})
