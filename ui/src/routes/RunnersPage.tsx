import { useQuery } from '@tanstack/react-query'
import { Badge, LabelChip, type Tone } from '@/components/Badge'
import { runnerDot } from '@/components/RunnersPanel'
import { EmptyState, ErrorBlock, LoadingBlock } from '@/components/Spinner'
import { queryKeys } from '@/services/keys'
import { fetchRunners, runnerState, type RunnerState } from '@/services/runners'
import { formatDateTime } from '@/utils/time'

const stateBadge: Record<RunnerState, { tone: Tone; label: string }> = {
  idle: { tone: 'green', label: 'idle' },
  busy: { tone: 'amber', label: 'running' },
  offline: { tone: 'neutral', label: 'offline' },
}

/** Every runner the poller knows; kept current by runner messages, not polling. */
export function RunnersPage() {
  const runners = useQuery({ queryKey: queryKeys.runners(), queryFn: ({ signal }) => fetchRunners(signal) })
  const list = runners.data ?? []
  const busy = list.filter((r) => runnerState(r) === 'busy').length
  const idle = list.filter((r) => runnerState(r) === 'idle').length

  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <h1 className="text-xl font-semibold">All Runners</h1>
      {runners.isPending && <LoadingBlock />}
      {runners.isError && <ErrorBlock error={runners.error} title="Could not load runners" />}
      {runners.isSuccess && (
        <>
          <dl className="grid max-w-md grid-cols-3 gap-3" data-testid="runner-summary">
            <Summary label="Idle" value={idle} className="text-green-600 dark:text-green-400" />
            <Summary label="Busy" value={busy} className="text-amber-600 dark:text-amber-400" />
            <Summary label="Total" value={list.length} />
          </dl>
          {list.length === 0 ? (
            <EmptyState>No runners found. Runners appear once the poller has seen them on GitHub.</EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
              <table className="w-full text-left text-sm">
                <thead className="bg-zinc-50 text-xs text-zinc-500 dark:bg-zinc-900">
                  <tr>
                    <th className="px-3 py-2 font-medium">Name</th>
                    <th className="px-3 py-2 font-medium">Status</th>
                    <th className="px-3 py-2 font-medium">OS</th>
                    <th className="px-3 py-2 font-medium">Labels</th>
                    <th className="px-3 py-2 font-medium">Last Seen</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-200 bg-white dark:divide-zinc-800 dark:bg-zinc-950">
                  {list.map((r) => {
                    const state = runnerState(r)
                    return (
                      <tr key={r.id} data-testid="runner-row" data-state={state}>
                        <td className="px-3 py-2">
                          <span className="flex items-center gap-2 font-mono text-xs">
                            <span className={`h-2 w-2 rounded-full ${runnerDot[state]}`} aria-hidden />
                            {r.name}
                          </span>
                        </td>
                        <td className="px-3 py-2">
                          <Badge tone={stateBadge[state].tone}>{stateBadge[state].label}</Badge>
                        </td>
                        <td className="px-3 py-2 text-zinc-600 dark:text-zinc-400">{r.os}</td>
                        <td className="px-3 py-2">
                          <div className="flex flex-wrap gap-1">
                            {r.labels.slice(0, 4).map((l) => (
                              <LabelChip key={l}>{l}</LabelChip>
                            ))}
                            {r.labels.length > 4 && (
                              <span className="text-xs text-zinc-500" title={r.labels.slice(4).join(', ')}>
                                +{r.labels.length - 4}
                              </span>
                            )}
                          </div>
                        </td>
                        <td className="px-3 py-2 text-xs whitespace-nowrap text-zinc-500">{formatDateTime(r.last_seen_at)}</td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </div>
  )
}

function Summary({ label, value, className }: { label: string; value: number; className?: string }) {
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
      <dd className={`text-2xl font-semibold tabular-nums ${className ?? ''}`}>{value}</dd>
      <dt className="text-xs text-zinc-500">{label}</dt>
    </div>
  )
}
