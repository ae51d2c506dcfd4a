import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import type { JobActions } from '@/components/JobCard'
import { queryKeys } from '@/services/keys'
import type { Job } from '@/services/jobs'
import { pending, running, triggered } from '@/test/factories/job'
import { mockFetch, pathOf } from '@/test/fetchMock'
import { renderWithClient, testQueryClient } from '@/test/render'
import { QueueTab } from './QueueTab'

const noActions: JobActions = {
  cancel: vi.fn(),
  setAutoRequeue: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  remove: vi.fn(),
}

function setup(jobs: Job[]) {
  const qc = testQueryClient()
  qc.setQueryData(queryKeys.queue('g1'), jobs)
  return renderWithClient(
    <QueueTab groupId="g1" jobs={jobs} templates={new Map()} isAdmin actions={noActions} onOpenDetails={() => {}} />,
    qc,
  )
}

describe('QueueTab', () => {
  it('splits pending and in-flight jobs into two columns', () => {
    setup([pending({ id: 'p1' }), running({ id: 'r1' }), triggered({ id: 't1' })])
    expect(screen.getByText('Pending (1)')).toBeInTheDocument()
    expect(screen.getByText('Running (2)')).toBeInTheDocument()
    expect(screen.getAllByTestId('drag-handle')).toHaveLength(1)
  })

  it('bulk enabling auto-requeue keeps every job its own limit', async () => {
    const jobs = [
      running({ id: 'r1', auto_requeue: false, requeue_limit: 3 }),
      running({ id: 'r2', auto_requeue: false, requeue_limit: null }),
      triggered({ id: 't1', auto_requeue: false, requeue_limit: 10 }),
    ]
    const { calls } = mockFetch((c) => {
      const j = jobs.find((x) => pathOf(c).includes(x.id))!
      return { body: { ...j, auto_requeue: true } }
    })
    setup(jobs)
    await userEvent.click(screen.getByTestId('select-running'))
    await userEvent.click(screen.getByText('Select all'))
    await userEvent.click(within(screen.getByTestId('bulk-bar')).getByTestId('bulk-enable-requeue'))
    const dialog = screen.getByTestId('confirm-dialog')
    expect(dialog).toHaveTextContent('Enable auto-requeue for 3 jobs')
    await userEvent.click(within(dialog).getByTestId('confirm-ok'))
    await vi.waitFor(() => expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument())

    const sent = Object.fromEntries(calls.map((c) => [pathOf(c), [c.method, c.body]]))
    expect(sent).toEqual({
      '/api/v1/jobs/r1/auto-requeue': ['PUT', { auto_requeue: true, requeue_limit: 3 }],
      '/api/v1/jobs/r2/auto-requeue': ['PUT', { auto_requeue: true, requeue_limit: null }],
      '/api/v1/jobs/t1/auto-requeue': ['PUT', { auto_requeue: true, requeue_limit: 10 }],
    })
  })

  it('bulk disabling lets in-flight jobs finish without touching limits', async () => {
    const jobs = [running({ id: 'r1', auto_requeue: true, requeue_limit: 3 })]
    const { calls } = mockFetch(() => ({ body: { ...jobs[0], auto_requeue: false } }))
    setup(jobs)
    await userEvent.click(screen.getByTestId('select-running'))
    await userEvent.click(screen.getByTestId('job-select'))
    await userEvent.click(screen.getByTestId('bulk-disable-requeue'))
    await userEvent.click(screen.getByTestId('confirm-ok'))
    await vi.waitFor(() => expect(calls).toHaveLength(1))
    expect([calls[0].method, pathOf(calls[0])]).toEqual(['POST', '/api/v1/jobs/r1/disable-requeue'])
  })

  it('reports partial failures of a bulk action', async () => {
    const jobs = [pending({ id: 'p1' }), pending({ id: 'p2' })]
    mockFetch((c) => (pathOf(c).includes('p2') ? { status: 400, body: { error: 'cannot pause job with status running' } } : { body: { ...jobs[0], paused: true } }))
    setup(jobs)
    await userEvent.click(screen.getByTestId('select-pending'))
    await userEvent.click(screen.getByText('Select all'))
    await userEvent.click(screen.getByTestId('bulk-pause'))
    await userEvent.click(screen.getByTestId('confirm-ok'))
    expect(await screen.findByRole('alert')).toHaveTextContent('1 of 2 failed')
  })
})
