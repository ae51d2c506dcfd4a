import { etaText } from '@/utils/time'
import { useNow } from '@/utils/useNow'
import { Icon } from './Icon'

interface Props {
  reason?: string
  eta?: string | null
  /** Injected by tests; otherwise the clock ticks every 15 s. */
  now?: number
}

/** Why a queued job is waiting and when it is expected to start. */
export function PendingInfo({ reason, eta, now }: Props) {
  const ticking = useNow(15_000, now === undefined && !!eta)
  const when = etaText(eta, now ?? ticking)
  if (!reason && !when) return null
  return (
    <p className="flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs text-zinc-500 dark:text-zinc-400">
      <Icon name="clock" className="h-3.5 w-3.5 shrink-0" />
      {reason && <span data-testid="pending-reason">{reason}</span>}
      {reason && when && <span aria-hidden>·</span>}
      {when && (
        <span data-testid="job-eta" className="font-medium text-zinc-700 dark:text-zinc-300" title={eta ?? undefined}>
          {when}
        </span>
      )}
    </p>
  )
}
