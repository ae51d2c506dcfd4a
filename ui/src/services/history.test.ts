// @vitest-environment node
import { InfiniteQueryObserver, QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import { completed } from '@/test/factories/job'
import { mockFetch, params, pathOf } from '@/test/fetchMock'
import { queryKeys } from './keys'
import { historyNextCursor, historyQueryOptions, type HistoryPage } from './history'

const page = (ids: string[], cursor: string | undefined, hasMore: boolean): HistoryPage => ({
  jobs: ids.map((id, i) => completed({ id, completed_at: `2026-01-10T12:0${9 - i}:00Z` })),
  has_more: hasMore,
  next_cursor: cursor,
  total_count: 7,
})

describe('historyNextCursor', () => {
  it('uses the cursor of the page it is given', () => {
    expect(historyNextCursor(page(['a'], 'c1', true))).toBe('c1')
    expect(historyNextCursor(page(['a'], 'c1', false))).toBeUndefined()
    expect(historyNextCursor(page([], undefined, true))).toBeUndefined()
    expect(historyNextCursor(undefined)).toBeUndefined()
  })
})

describe('history paging', () => {
  it('asks each next page with the cursor of the LAST page, not the first', async () => {
    // Three pages: the reference sent cursor-1 for every "Load More", so page 3 repeated page 2.
    const pages: Record<string, HistoryPage> = {
      '': page(['a', 'b', 'c'], 'cursor-1', true),
      'cursor-1': page(['d', 'e', 'f'], 'cursor-2', true),
      'cursor-2': page(['g'], 'cursor-3', false),
    }
    const { calls } = mockFetch((c) => ({ body: pages[params(c).get('before') ?? ''] }))
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
    const filters = { status: ['failed' as const, 'completed' as const], labels: { network: 'hoodi' } }
    const opts = historyQueryOptions('g1', filters)
    expect(opts.queryKey).toEqual(queryKeys.history('g1', filters))

    // The same observer the page's "Load More" button drives.
    const observer = new InfiniteQueryObserver(qc, opts)
    const unsubscribe = observer.subscribe(() => {})
    await observer.refetch()
    await observer.fetchNextPage()
    const last = await observer.fetchNextPage()
    unsubscribe()

    expect(calls.map((c) => params(c).get('before'))).toEqual([null, 'cursor-1', 'cursor-2'])
    expect(last.data?.pages.flatMap((p) => p.jobs.map((j) => j.id))).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'])
    expect(last.hasNextPage).toBe(false)

    const first = calls[0]
    expect(pathOf(first)).toBe('/api/v1/groups/g1/history')
    expect(params(first).get('limit')).toBe('50')
    expect(params(first).get('status')).toBe('failed,completed')
    expect(params(first).get('label.network')).toBe('hoodi')
  })
})
