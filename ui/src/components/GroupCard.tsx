import { Link } from 'react-router'
import type { GroupWithStats } from '@/services/groups'
import type { HistoryStats } from '@/services/history'
import { Badge, LabelChip } from './Badge'
import { HistoryChart } from './HistoryChart'

interface Props {
  group: GroupWithStats
  stats?: HistoryStats
}

export function GroupCard({ group, stats }: Props) {
  return (
    <Link
      to={`/groups/${encodeURIComponent(group.id)}`}
      data-testid="group-card"
      data-group-id={group.id}
      className="block rounded-xl border border-zinc-200 bg-white p-4 shadow-xs transition hover:border-zinc-300 hover:shadow-sm focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-zinc-800 dark:bg-zinc-900 dark:hover:border-zinc-700"
    >
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <h2 className="truncate font-semibold">{group.name || group.id}</h2>
          {group.description && <p className="mt-0.5 line-clamp-2 text-sm text-zinc-500">{group.description}</p>}
        </div>
        <div className="flex shrink-0 gap-1">
          {group.paused && <Badge tone="amber">Paused</Badge>}
          {!group.enabled && <Badge tone="red">Disabled</Badge>}
        </div>
      </div>
      <dl className="mt-4 grid grid-cols-4 gap-2 text-center">
        <Stat label="Running" value={group.running_jobs} className="text-green-600 dark:text-green-400" />
        <Stat label="Queued" value={group.queued_jobs} className="text-amber-600 dark:text-amber-400" />
        <Stat label="Busy" value={group.busy_runners} />
        <Stat label="Idle" value={group.idle_runners} />
      </dl>
      <div className="mt-4">
        <p className="mb-1 text-xs text-zinc-500">Last 24 hours</p>
        {stats ? <HistoryChart buckets={stats.buckets} compact /> : <div className="h-10 rounded bg-zinc-100 dark:bg-zinc-800/50" />}
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-1">
        {group.runner_labels.map((l) => (
          <LabelChip key={l}>{l}</LabelChip>
        ))}
        <span className="ml-auto text-xs text-zinc-500">
          {group.template_count} job template{group.template_count === 1 ? '' : 's'}
        </span>
      </div>
    </Link>
  )
}

function Stat({ label, value, className }: { label: string; value: number; className?: string }) {
  return (
    <div className="rounded-lg bg-zinc-50 py-2 dark:bg-zinc-800/50">
      <dd className={`text-lg font-semibold tabular-nums ${className ?? ''}`}>{value}</dd>
      <dt className="text-xs text-zinc-500">{label}</dt>
    </div>
  )
}
