import type { JobStatus } from '@/services/jobs'
import { cn } from '@/utils/cn'
import { toneClasses, type Tone } from './Badge'

// Each status has its own colour and label; dispatching (intent journaled,
// GitHub call in flight) and triggered (GitHub accepted, run not started) are
// deliberately different pills.
const styles: Record<JobStatus | 'paused', { tone: Tone; label: string; pulse?: boolean }> = {
  pending: { tone: 'neutral', label: 'pending' },
  paused: { tone: 'violet', label: 'paused' },
  dispatching: { tone: 'sky', label: 'dispatching', pulse: true },
  triggered: { tone: 'blue', label: 'triggered' },
  running: { tone: 'amber', label: 'running', pulse: true },
  completed: { tone: 'green', label: 'completed' },
  failed: { tone: 'red', label: 'failed' },
  cancelled: { tone: 'neutral', label: 'cancelled' },
}

const dotColour: Record<Tone, string> = {
  neutral: 'bg-zinc-400',
  green: 'bg-green-500',
  amber: 'bg-amber-500',
  red: 'bg-red-500',
  blue: 'bg-blue-500',
  violet: 'bg-violet-500',
  sky: 'bg-sky-500',
}

export function StatusPill({ status, paused = false }: { status: JobStatus; paused?: boolean }) {
  const key = status === 'pending' && paused ? 'paused' : status
  const s = styles[key] ?? { tone: 'neutral' as Tone, label: status }
  return (
    <span
      data-testid="job-status"
      data-status={key}
      className={cn(
        'inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset',
        toneClasses[s.tone],
        key === 'cancelled' && 'line-through decoration-zinc-400/70',
      )}
    >
      <span className={cn('h-1.5 w-1.5 rounded-full', dotColour[s.tone], s.pulse && 'animate-pulse')} aria-hidden />
      {s.label}
    </span>
  )
}
