import type { StatsBucket } from '@/services/history'
import { formatDateTime } from '@/utils/time'

// Hand-drawn SVG: stacked bars or three lines. A chart library would cost more
// than the rest of the dashboard together.

const SERIES = [
  { key: 'completed', label: 'Completed', colour: '#22c55e' },
  { key: 'failed', label: 'Failed', colour: '#ef4444' },
  { key: 'cancelled', label: 'Cancelled', colour: '#a1a1aa' },
] as const

interface Props {
  buckets: StatsBucket[]
  mode?: 'bar' | 'line'
  /** Compact sparkline without axes, for group cards. */
  compact?: boolean
  height?: number
}

const W = 600

export function HistoryChart({ buckets, mode = 'bar', compact = false, height = compact ? 40 : 160 }: Props) {
  const max = Math.max(1, ...buckets.map((b) => b.completed + b.failed + b.cancelled))
  const perSeriesMax = Math.max(1, ...buckets.flatMap((b) => [b.completed, b.failed, b.cancelled]))
  const pad = compact ? 0 : 4
  const n = Math.max(1, buckets.length)
  const slot = W / n
  const barW = Math.max(1, slot * (compact ? 0.75 : 0.7))
  const h = height
  const y = (v: number, top: number) => h - pad - (v / top) * (h - pad * 2)

  return (
    <svg
      viewBox={`0 0 ${W} ${h}`}
      preserveAspectRatio="none"
      className="block w-full"
      style={{ height: h }}
      role="img"
      aria-label={`History chart: ${SERIES.map((s) => `${sum(buckets, s.key)} ${s.key}`).join(', ')}`}
      data-testid="history-chart"
    >
      {!compact &&
        [0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1={0} x2={W} y1={h * f} y2={h * f} className="stroke-zinc-200 dark:stroke-zinc-800" strokeWidth={1} vectorEffect="non-scaling-stroke" />
        ))}
      {mode === 'bar'
        ? buckets.map((b, i) => {
            let acc = 0
            const x = i * slot + (slot - barW) / 2
            return (
              <g key={b.timestamp}>
                <title>{`${formatDateTime(b.timestamp)}: ${b.completed} completed, ${b.failed} failed, ${b.cancelled} cancelled`}</title>
                <rect x={i * slot} y={0} width={slot} height={h} fill="transparent" />
                {SERIES.map((s) => {
                  const v = b[s.key]
                  if (v === 0) return null
                  const top = y(acc + v, max)
                  const bottom = y(acc, max)
                  acc += v
                  return <rect key={s.key} x={x} y={top} width={barW} height={Math.max(1, bottom - top)} fill={s.colour} rx={compact ? 0.5 : 1} />
                })}
              </g>
            )
          })
        : SERIES.map((s) => (
            <polyline
              key={s.key}
              fill="none"
              stroke={s.colour}
              strokeWidth={2}
              vectorEffect="non-scaling-stroke"
              strokeLinejoin="round"
              points={buckets.map((b, i) => `${i * slot + slot / 2},${y(b[s.key], perSeriesMax)}`).join(' ')}
            />
          ))}
    </svg>
  )
}

export function ChartLegend({ totals }: { totals: { completed: number; failed: number; cancelled: number } }) {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-zinc-600 dark:text-zinc-400">
      {SERIES.map((s) => (
        <li key={s.key} className="flex items-center gap-1.5">
          <span className="h-2.5 w-2.5 rounded-sm" style={{ background: s.colour }} aria-hidden />
          {s.label} <span className="font-medium text-zinc-900 tabular-nums dark:text-zinc-100">{totals[s.key]}</span>
        </li>
      ))}
    </ul>
  )
}

function sum(buckets: StatsBucket[], key: 'completed' | 'failed' | 'cancelled'): number {
  return buckets.reduce((a, b) => a + b[key], 0)
}
