import type { UseInfiniteQueryResult, InfiniteData } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { Button } from '@/components/Button'
import { Segmented } from '@/components/Segmented'
import { JobCard, type JobActions } from '@/components/JobCard'
import { EmptyState, ErrorBlock, LoadingBlock } from '@/components/Spinner'
import { HISTORY_STATUSES, type HistoryFilters, type HistoryPage, type HistoryStatus } from '@/services/history'
import type { Job } from '@/services/jobs'
import { templateTitle, type JobTemplate } from '@/services/templates'
import { cn } from '@/utils/cn'

interface Props {
  history: UseInfiniteQueryResult<InfiniteData<HistoryPage, unknown>>
  templates: JobTemplate[]
  templatesById: Map<string, JobTemplate>
  filters: HistoryFilters
  onFiltersChange: (f: HistoryFilters) => void
  view: 'linear' | 'grouped'
  onViewChange: (v: 'linear' | 'grouped') => void
  isAdmin: boolean
  actions: JobActions
  onOpenDetails: (job: Job) => void
}

/** All jobs of all loaded pages, in order, without duplicates. */
export function flattenHistory(pages: readonly HistoryPage[] | undefined): Job[] {
  const seen = new Set<string>()
  const out: Job[] = []
  for (const page of pages ?? []) {
    for (const job of page.jobs) {
      if (seen.has(job.id)) continue
      seen.add(job.id)
      out.push(job)
    }
  }
  return out
}

const statusTone: Record<HistoryStatus, string> = {
  completed: 'data-[on=true]:bg-green-600 data-[on=true]:text-white data-[on=true]:border-green-600',
  failed: 'data-[on=true]:bg-red-600 data-[on=true]:text-white data-[on=true]:border-red-600',
  cancelled: 'data-[on=true]:bg-zinc-600 data-[on=true]:text-white data-[on=true]:border-zinc-600',
}

export function HistoryTab(props: Props) {
  const { history, templates, templatesById, filters, onFiltersChange, view, onViewChange } = props
  const jobs = useMemo(() => flattenHistory(history.data?.pages), [history.data])
  const total = history.data?.pages[0]?.total_count ?? 0
  const labelOptions = useMemo(() => collectLabels(templates), [templates])
  const filtered = filters.status.length > 0 || Object.keys(filters.labels).length > 0

  const toggleStatus = (s: HistoryStatus) => {
    const status = filters.status.includes(s) ? filters.status.filter((x) => x !== s) : [...filters.status, s]
    onFiltersChange({ ...filters, status })
  }
  const toggleLabel = (k: string, v: string) => {
    const labels = { ...filters.labels }
    if (labels[k] === v) delete labels[k]
    else labels[k] = v
    onFiltersChange({ ...filters, labels })
  }

  const card = (job: Job) => (
    <JobCard
      job={job}
      template={templatesById.get(job.template_id)}
      isAdmin={props.isAdmin}
      actions={props.actions}
      onOpenDetails={props.onOpenDetails}
    />
  )

  return (
    <div className="space-y-4" data-testid="history-tab">
      <div className="space-y-3 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex flex-wrap items-center gap-2">
          <Segmented
            value={view}
            options={[
              ['linear', 'Linear'],
              ['grouped', 'Grouped'],
            ]}
            onChange={onViewChange}
            testId="history-view"
          />
          <span className="mx-1 h-5 w-px bg-zinc-200 dark:bg-zinc-700" aria-hidden />
          {HISTORY_STATUSES.map((s) => (
            <button
              key={s}
              type="button"
              data-on={filters.status.includes(s)}
              aria-pressed={filters.status.includes(s)}
              onClick={() => toggleStatus(s)}
              data-testid={`history-filter-${s}`}
              className={cn(
                'rounded-full border border-zinc-300 px-2.5 py-0.5 text-xs font-medium focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-zinc-700',
                statusTone[s],
              )}
            >
              {s}
            </button>
          ))}
          <span className="ml-auto text-xs text-zinc-500" data-testid="history-count">
            Showing {total} results
          </span>
          {filtered && (
            <Button size="xs" variant="ghost" onClick={() => onFiltersChange({ status: [], labels: {} })}>
              Clear filters
            </Button>
          )}
        </div>
        {labelOptions.length > 0 && (
          <div className="space-y-1.5">
            {labelOptions.map(([key, values]) => (
              <div key={key} className="flex flex-wrap items-center gap-1.5">
                <span className="w-24 shrink-0 truncate font-mono text-xs text-zinc-500">{key}</span>
                {values.map((v) => (
                  <button
                    key={v}
                    type="button"
                    aria-pressed={filters.labels[key] === v}
                    onClick={() => toggleLabel(key, v)}
                    className={cn(
                      'rounded border px-1.5 py-0.5 font-mono text-[11px] focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none',
                      filters.labels[key] === v
                        ? 'border-sky-600 bg-sky-600 text-white'
                        : 'border-zinc-300 text-zinc-600 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-400 dark:hover:bg-zinc-800',
                    )}
                  >
                    {v}
                  </button>
                ))}
              </div>
            ))}
          </div>
        )}
      </div>

      {history.isPending && <LoadingBlock />}
      {history.isError && <ErrorBlock error={history.error} title="Could not load history" />}
      {history.isSuccess && jobs.length === 0 && <EmptyState>No finished jobs{filtered ? ' match these filters' : ' yet'}.</EmptyState>}
      {jobs.length > 0 &&
        (view === 'linear' ? (
          <ul className="space-y-2">
            {jobs.map((j) => (
              <li key={j.id}>{card(j)}</li>
            ))}
          </ul>
        ) : (
          <GroupedHistory jobs={jobs} templatesById={templatesById} renderCard={card} />
        ))}
      {history.hasNextPage && (
        <div className="flex justify-center">
          <Button onClick={() => void history.fetchNextPage()} disabled={history.isFetchingNextPage} data-testid="history-load-more">
            {history.isFetchingNextPage ? 'Loading…' : 'Load More'}
          </Button>
        </div>
      )}
    </div>
  )
}

function GroupedHistory({ jobs, templatesById, renderCard }: { jobs: Job[]; templatesById: Map<string, JobTemplate>; renderCard: (j: Job) => React.ReactNode }) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set())
  const groups = useMemo(() => {
    const m = new Map<string, Job[]>()
    for (const j of jobs) {
      const k = j.template_id || ''
      m.set(k, [...(m.get(k) ?? []), j])
    }
    return [...m.entries()]
  }, [jobs])

  return (
    <div className="space-y-4">
      {groups.map(([key, list]) => {
        const open = expanded.has(key)
        const t = templatesById.get(key)
        const title = key ? (t ? templateTitle(t) : key) : 'Manual jobs'
        const shown = open ? list : list.slice(0, 1)
        return (
          <section key={key || 'manual'} className="space-y-2" data-testid="history-group">
            <h4 className="flex items-center gap-2 text-sm font-medium">
              {title} <span className="text-xs font-normal text-zinc-500">({list.length})</span>
            </h4>
            <ul className="space-y-2">
              {shown.map((j) => (
                <li key={j.id}>{renderCard(j)}</li>
              ))}
            </ul>
            {list.length > 1 && (
              <Button
                size="xs"
                variant="ghost"
                onClick={() =>
                  setExpanded((s) => {
                    const n = new Set(s)
                    if (n.has(key)) n.delete(key)
                    else n.add(key)
                    return n
                  })
                }
              >
                {open ? 'Collapse' : `Show ${list.length - 1} more`}
              </Button>
            )}
          </section>
        )
      })}
    </div>
  )
}

function collectLabels(templates: JobTemplate[]): [string, string[]][] {
  const m = new Map<string, Set<string>>()
  for (const t of templates) {
    for (const [k, v] of Object.entries(t.labels ?? {})) {
      if (!m.has(k)) m.set(k, new Set())
      m.get(k)!.add(v)
    }
  }
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, vs]) => [k, [...vs].sort()])
}
