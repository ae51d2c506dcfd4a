import { useInfiniteQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { Button } from '@/components/Button'
import { EmptyState, ErrorBlock, LoadingBlock } from '@/components/Spinner'
import { auditNextCursor, fetchAudit, type AuditEvent, type AuditFilters } from '@/services/audit'
import { queryKeys } from '@/services/keys'
import { formatDateTime } from '@/utils/time'

const FIELDS: { key: keyof AuditFilters; label: string; type?: string }[] = [
  { key: 'group', label: 'Group' },
  { key: 'job', label: 'Job' },
  { key: 'actor', label: 'Actor' },
  { key: 'type', label: 'Type' },
  { key: 'since', label: 'Since', type: 'datetime-local' },
  { key: 'until', label: 'Until', type: 'datetime-local' },
]

/** datetime-local gives local wall time; the API wants RFC 3339. */
function toRfc3339(local: string | undefined): string | undefined {
  if (!local) return undefined
  const t = new Date(local)
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString()
}

export function toApiFilters(form: AuditFilters): AuditFilters {
  const out: AuditFilters = {}
  for (const { key } of FIELDS) {
    const v = form[key]?.trim()
    if (!v) continue
    out[key] = key === 'since' || key === 'until' ? toRfc3339(v) : v
  }
  return out
}

export default function AuditPage() {
  const [form, setForm] = useState<AuditFilters>({})
  const [filters, setFilters] = useState<AuditFilters>({})
  const audit = useInfiniteQuery({
    queryKey: queryKeys.audit(filters),
    queryFn: ({ pageParam, signal }) => fetchAudit(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: auditNextCursor,
  })
  const events: AuditEvent[] = audit.data?.pages.flatMap((p) => p.events) ?? []

  const apply = (e: FormEvent) => {
    e.preventDefault()
    setFilters(toApiFilters(form))
  }

  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <h1 className="text-xl font-semibold">Audit</h1>
      <form onSubmit={apply} className="grid gap-3 rounded-lg border border-zinc-200 bg-white p-3 sm:grid-cols-3 lg:grid-cols-7 dark:border-zinc-800 dark:bg-zinc-900" data-testid="audit-filters">
        {FIELDS.map(({ key, label, type }) => (
          <label key={key} className="block text-xs font-medium text-zinc-500">
            {label}
            <input
              type={type ?? 'text'}
              value={form[key] ?? ''}
              onChange={(e) => setForm((f) => ({ ...f, [key]: e.target.value }))}
              className="mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
            />
          </label>
        ))}
        <div className="flex items-end gap-2">
          <Button type="submit" variant="primary">
            Apply
          </Button>
          <Button
            onClick={() => {
              setForm({})
              setFilters({})
            }}
          >
            Clear
          </Button>
        </div>
      </form>
      {audit.isPending && <LoadingBlock />}
      {audit.isError && <ErrorBlock error={audit.error} title="Could not load the audit log" />}
      {audit.isSuccess && events.length === 0 && <EmptyState>No events match.</EmptyState>}
      {events.length > 0 && (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm" data-testid="audit-table">
            <thead className="bg-zinc-50 text-xs text-zinc-500 dark:bg-zinc-900">
              <tr>
                <th className="px-3 py-2 font-medium">Time</th>
                <th className="px-3 py-2 font-medium">Type</th>
                <th className="px-3 py-2 font-medium">Summary</th>
                <th className="px-3 py-2 font-medium">Actor</th>
                <th className="px-3 py-2 font-medium">Group / Job</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-200 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
              {events.map((e) => (
                <tr key={e.index} data-testid="audit-row">
                  <td className="px-3 py-2 text-xs whitespace-nowrap text-zinc-500">{formatDateTime(e.time)}</td>
                  <td className="px-3 py-2 font-mono text-xs">{e.type}</td>
                  <td className="px-3 py-2">
                    {e.summary}
                    {e.reason && <span className="block text-xs text-zinc-500">{e.reason}</span>}
                  </td>
                  <td className="px-3 py-2 text-xs">
                    {e.actor || '—'}
                    {e.ip && <span className="block text-zinc-500">{e.ip}</span>}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {e.group_id ? <Link to={`/groups/${encodeURIComponent(e.group_id)}`} className="text-sky-600 hover:underline dark:text-sky-400">{e.group_id}</Link> : '—'}
                    {e.job_id && <span className="block truncate text-zinc-500" title={e.job_id}>{e.job_id.slice(0, 8)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {audit.hasNextPage && (
        <div className="flex justify-center">
          <Button onClick={() => void audit.fetchNextPage()} disabled={audit.isFetchingNextPage} data-testid="audit-load-more">
            {audit.isFetchingNextPage ? 'Loading…' : 'Load More'}
          </Button>
        </div>
      )}
    </div>
  )
}
