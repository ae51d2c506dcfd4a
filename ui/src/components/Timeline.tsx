import type { JobEvent } from '@/services/jobs'
import { formatDateTime } from '@/utils/time'

/** A job's journal entries, oldest first. */
export function Timeline({ events }: { events: JobEvent[] }) {
  if (events.length === 0) return <p className="text-xs text-zinc-500">No events recorded.</p>
  return (
    <ol className="relative space-y-3 border-l border-zinc-200 pl-4 dark:border-zinc-800" data-testid="job-timeline">
      {events.map((e) => (
        <li key={e.index} className="relative">
          <span className="absolute top-1.5 -left-[21px] h-2 w-2 rounded-full bg-zinc-400 ring-4 ring-white dark:ring-zinc-900" aria-hidden />
          <p className="text-sm">{e.summary}</p>
          <p className="text-xs text-zinc-500">
            <time dateTime={e.time}>{formatDateTime(e.time)}</time> · <span className="font-mono">{e.type}</span>
            {e.actor && <> · {e.actor}</>}
            {e.ip && <> · {e.ip}</>}
            {e.reason && <> · {e.reason}</>}
          </p>
        </li>
      ))}
    </ol>
  )
}
