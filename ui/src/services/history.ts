import { infiniteQueryOptions } from '@tanstack/react-query'
import { request } from '@/utils/api'
import type { Job } from './jobs'

export type HistoryStatus = 'completed' | 'failed' | 'cancelled'
export const HISTORY_STATUSES: readonly HistoryStatus[] = ['completed', 'failed', 'cancelled']
export const HISTORY_PAGE_SIZE = 50

export interface HistoryFilters {
  status: HistoryStatus[]
  labels: Record<string, string>
}

export interface HistoryPage {
  jobs: Job[]
  has_more: boolean
  next_cursor?: string
  total_count: number
}

export type StatsRange = '1h' | '6h' | '24h' | '7d' | '30d' | 'auto'
export const STATS_RANGES: readonly StatsRange[] = ['1h', '6h', '24h', '7d', '30d', 'auto']

export interface StatsBucket {
  timestamp: string
  completed: number
  failed: number
  cancelled: number
}

export interface HistoryStats {
  buckets: StatsBucket[]
  range: { start: string; end: string; bucket_duration: string }
  totals: { completed: number; failed: number; cancelled: number }
}

export function fetchHistory(
  groupId: string,
  filters: HistoryFilters,
  before: string | undefined,
  signal?: AbortSignal,
  limit = HISTORY_PAGE_SIZE,
): Promise<HistoryPage> {
  const query: Record<string, string | number | string[] | undefined> = {
    limit,
    before,
    status: filters.status,
  }
  for (const [k, v] of Object.entries(filters.labels)) query[`label.${k}`] = v
  return request<HistoryPage>(`/groups/${encodeURIComponent(groupId)}/history`, { query, signal })
}

/**
 * The cursor for the next page comes from the LAST page fetched. The reference
 * reused the first page's cursor, so "Load More" repeated pages from the third on.
 */
export function historyNextCursor(lastPage: HistoryPage | undefined): string | undefined {
  if (!lastPage || !lastPage.has_more || lastPage.jobs.length === 0) return undefined
  return lastPage.next_cursor || lastPage.jobs[lastPage.jobs.length - 1].completed_at || undefined
}

export const fetchHistoryStats = (groupId: string, range: StatsRange, signal?: AbortSignal) =>
  request<HistoryStats>(`/groups/${encodeURIComponent(groupId)}/history/stats`, { query: { range }, signal })

/** Query options of a group's paged history; shared by the page and its tests. */
export const historyQueryOptions = (groupId: string, filters: HistoryFilters) =>
  infiniteQueryOptions({
    queryKey: ['history', groupId, filters] as const,
    queryFn: ({ pageParam, signal }) => fetchHistory(groupId, filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: historyNextCursor,
  })
