import { useInfiniteQuery } from '@tanstack/react-query'
import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import type { JobActions } from '@/components/JobCard'
import { historyQueryOptions, type HistoryFilters, type HistoryPage } from '@/services/history'
import { completed, failed } from '@/test/factories/job'
import { template } from '@/test/factories/template'
import { mockFetch, params } from '@/test/fetchMock'
import { renderWithClient } from '@/test/render'
import { flattenHistory, HistoryTab } from './HistoryTab'

const actions = {} as JobActions

function Harness() {
  const [filters, setFilters] = useState<HistoryFilters>({ status: [], labels: {} })
  const [view, setView] = useState<'linear' | 'grouped'>('linear')
  const history = useInfiniteQuery(historyQueryOptions('g1', filters))
  const t = template({ labels: { network: 'hoodi' } })
  return (
    <HistoryTab
      history={history}
      templates={[t]}
      templatesById={new Map([[t.id, t]])}
      filters={filters}
      onFiltersChange={setFilters}
      view={view}
      onViewChange={setView}
      isAdmin={false}
      actions={actions}
      onOpenDetails={() => {}}
    />
  )
}

const pageOf = (ids: string[], cursor: string, more: boolean): HistoryPage => ({
  jobs: ids.map((id) => completed({ id })),
  has_more: more,
  next_cursor: cursor,
  total_count: 5,
})

describe('HistoryTab', () => {
  it('loads more pages with the cursor of the last page until there are none', async () => {
    const pages: Record<string, HistoryPage> = {
      '': pageOf(['a', 'b'], 'c1', true),
      c1: pageOf(['c', 'd'], 'c2', true),
      c2: pageOf(['e'], 'c3', false),
    }
    const { calls } = mockFetch((c) => ({ body: pages[params(c).get('before') ?? ''] }))
    renderWithClient(<Harness />)
    expect(await screen.findAllByTestId('job-card')).toHaveLength(2)
    expect(screen.getByTestId('history-count')).toHaveTextContent('Showing 5 results')
    await userEvent.click(screen.getByTestId('history-load-more'))
    await vi.waitFor(() => expect(screen.getAllByTestId('job-card')).toHaveLength(4))
    await userEvent.click(screen.getByTestId('history-load-more'))
    await vi.waitFor(() => expect(screen.getAllByTestId('job-card')).toHaveLength(5))
    expect(screen.queryByTestId('history-load-more')).not.toBeInTheDocument()
    expect(calls.map((c) => params(c).get('before'))).toEqual([null, 'c1', 'c2'])
  })

  it('sends status and label filters to the server', async () => {
    const { calls } = mockFetch(() => ({ body: pageOf([], '', false) }))
    renderWithClient(<Harness />)
    await screen.findByText(/No finished jobs yet/)
    await userEvent.click(screen.getByTestId('history-filter-failed'))
    await userEvent.click(screen.getByRole('button', { name: 'hoodi' }))
    await screen.findByText(/match these filters/)
    const last = calls[calls.length - 1]
    expect(params(last).get('status')).toBe('failed')
    expect(params(last).get('label.network')).toBe('hoodi')
  })

  it('groups by template in the grouped view', async () => {
    mockFetch(() => ({ body: { jobs: [completed({ id: 'x1' }), failed({ id: 'x2' }), completed({ id: 'm', template_id: '' })], has_more: false, total_count: 3 } }))
    renderWithClient(<Harness />)
    await screen.findAllByTestId('job-card')
    await userEvent.click(screen.getByRole('button', { name: 'Grouped' }))
    expect(screen.getAllByTestId('history-group')).toHaveLength(2)
    expect(screen.getAllByTestId('job-card')).toHaveLength(2)
    await userEvent.click(screen.getByText('Show 1 more'))
    expect(screen.getAllByTestId('job-card')).toHaveLength(3)
  })
})

describe('flattenHistory', () => {
  it('drops jobs repeated across page boundaries', () => {
    const p1 = pageOf(['a', 'b'], 'c', true)
    const p2 = pageOf(['b', 'c'], 'd', false)
    expect(flattenHistory([p1, p2]).map((j) => j.id)).toEqual(['a', 'b', 'c'])
  })
})
