import { QueryClientProvider } from '@tanstack/react-query'
import { act, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { beforeEach, describe, expect, it } from 'vitest'
import { MemoryRouter, Route, Routes } from 'react-router'
import { createLive } from '@/live/createLive'
import { LiveProvider } from '@/live/LiveProvider'
import { useAuth } from '@/stores/auth'
import { group } from '@/test/factories/group'
import { pending, running } from '@/test/factories/job'
import { runner } from '@/test/factories/runner'
import { template } from '@/test/factories/template'
import { socketFactory } from '@/test/fakeSocket'
import { mockFetch, pathOf } from '@/test/fetchMock'
import { testQueryClient } from '@/test/render'
import { GroupPage } from './GroupPage'

const g = group({ id: 'g1', name: 'Sync Tests' })

function setup(role = 'admin') {
  useAuth.setState({ status: 'authenticated', user: { id: 'u', username: 'op', role, auth_provider: 'basic' } })
  const { calls } = mockFetch((c) => {
    const path = pathOf(c)
    if (path === '/api/v1/groups/g1' && c.method === 'GET') return { body: g }
    if (path === '/api/v1/groups/g1/pause') return { body: { ...g, paused: true } }
    if (path === '/api/v1/groups/g1/templates') return { body: [template()] }
    if (path === '/api/v1/groups/g1/queue') return { body: [running({ id: 'r1', runner_id: 1 }), pending({ id: 'p1', pending_reason: '1 job ahead' })] }
    if (path === '/api/v1/groups/g1/runners') return { body: [runner({ id: 1, busy: true })] }
    if (path === '/api/v1/groups/g1/history') return { body: { jobs: [], has_more: false, total_count: 12 } }
    if (path === '/api/v1/groups/g1/history/stats') return { body: { buckets: [], range: { start: '', end: '', bucket_duration: '1h0m0s' }, totals: { completed: 0, failed: 0, cancelled: 0 } } }
    return { status: 404, body: { error: 'not found' } }
  })
  const sockets = socketFactory()
  const qc = testQueryClient()
  const live = createLive(qc, { createSocket: sockets.create, url: () => 'ws://x/ws' })
  render(
    <QueryClientProvider client={qc}>
      <LiveProvider live={live} active>
        <MemoryRouter initialEntries={['/groups/g1']}>
          <Routes>
            <Route path="/groups/:id" element={<GroupPage />} />
          </Routes>
        </MemoryRouter>
      </LiveProvider>
    </QueryClientProvider>,
  )
  return { calls, sockets }
}

beforeEach(() => useAuth.setState({ status: 'checking', user: null }))

describe('GroupPage', () => {
  it('loads the group, follows it live, and shows queue, tabs and runners', async () => {
    const { sockets } = setup()
    expect(await screen.findByRole('heading', { name: /Sync Tests/ })).toBeInTheDocument()
    expect(await screen.findByText('Queue (2)')).toBeInTheDocument()
    expect(await screen.findByText('History (12)')).toBeInTheDocument()
    expect(screen.getByTestId('pending-reason')).toHaveTextContent('1 job ahead')
    expect(await screen.findByText('Runners (1)')).toBeInTheDocument()
    act(() => sockets.last().open())
    expect(sockets.last().sentOfType('subscribe')).toEqual([{ type: 'subscribe', group_id: 'g1' }])

    // A job pushed by the server appears without any request.
    act(() => sockets.last().deliver({ type: 'job_state', group_id: 'g1', payload: pending({ id: 'p2', name: 'Pushed job' }) }))
    expect(await screen.findByText('Pushed job')).toBeInTheDocument()
    expect(screen.getByText('Queue (3)')).toBeInTheDocument()
  })

  it('pauses the group', async () => {
    const { calls } = setup()
    await userEvent.click(await screen.findByTestId('pause-group'))
    expect(await screen.findByTestId('group-paused')).toHaveTextContent('Paused')
    expect(screen.getByTestId('pause-group')).toHaveTextContent('Resume Queue')
    expect(calls.some((c) => c.method === 'POST' && pathOf(c) === '/api/v1/groups/g1/pause')).toBe(true)
  })

  it('switches tabs through the URL', async () => {
    setup()
    await userEvent.click(await screen.findByTestId('tab-templates'))
    expect(await screen.findByTestId('templates-tab')).toBeInTheDocument()
    expect(within(screen.getByTestId('templates-tab')).getByText('Sync geth')).toBeInTheDocument()
  })

  it('hides admin controls from read-only users', async () => {
    setup('readonly')
    await screen.findByText('Queue (2)')
    expect(screen.queryByTestId('pause-group')).not.toBeInTheDocument()
    expect(screen.queryByTestId('add-job')).not.toBeInTheDocument()
    expect(screen.queryByTestId('drag-handle')).not.toBeInTheDocument()
    expect(screen.queryByTestId('job-cancel')).not.toBeInTheDocument()
  })
})
