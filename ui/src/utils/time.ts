// Time formatting. Every function takes `now` so that tests and ticking
// components decide what "now" is.

export function parseTime(s: string | null | undefined): number | null {
  if (!s) return null
  const t = Date.parse(s)
  return Number.isNaN(t) ? null : t
}

/** Compact duration: 45s, 4m 05s, 2h 03m, 3d 4h. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(total / 86400)
  const h = Math.floor((total % 86400) / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  if (d > 0) return `${d}d ${h}h`
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`
  return `${s}s`
}

/** Rough span for estimates: <1m, ~4m, ~2h, ~3d. */
export function formatApprox(ms: number): string {
  const minutes = Math.round(ms / 60000)
  if (minutes < 1) return '<1m'
  if (minutes < 60) return `~${minutes}m`
  const hours = Math.round(minutes / 60)
  if (hours < 48) return `~${hours}h`
  return `~${Math.round(hours / 24)}d`
}

/** "starts in ~4m" for an ETA, or null when there is none. */
export function etaText(eta: string | null | undefined, now: number): string | null {
  const t = parseTime(eta)
  if (t === null) return null
  const ms = t - now
  if (ms <= 30_000) return 'starting soon'
  return `starts in ${formatApprox(ms)}`
}

/** "3m ago", "in 5m", "just now". */
export function formatRelative(s: string | null | undefined, now: number): string {
  const t = parseTime(s)
  if (t === null) return '—'
  const diff = now - t
  if (Math.abs(diff) < 10_000) return 'just now'
  const span = formatApprox(Math.abs(diff)).replace('~', '')
  return diff > 0 ? `${span} ago` : `in ${span}`
}

export function formatDateTime(s: string | null | undefined): string {
  const t = parseTime(s)
  if (t === null) return '—'
  return new Date(t).toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

export function formatTime(s: string | null | undefined): string {
  const t = parseTime(s)
  if (t === null) return '—'
  return new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })
}

/** Duration of a job: start to end, or start to now while it runs. */
export function jobDuration(start: string | null | undefined, end: string | null | undefined, now: number): string | null {
  const s = parseTime(start)
  if (s === null) return null
  const e = parseTime(end) ?? now
  return formatDuration(e - s)
}
