import type { ConnectionState } from '@/live/socket'
import type { ClientStatus, SystemStatus } from '@/services/status'
import { cn } from '@/utils/cn'
import { Popover } from './Popover'

interface Props {
  connection: ConnectionState
  status?: SystemStatus
  statusError?: unknown
  lastSeq?: number
}

type Level = { label: string; dot: string; text: string }

export function indicatorLevel(connection: ConnectionState, status?: SystemStatus): Level {
  if (connection === 'connecting' || connection === 'idle') {
    return { label: 'Connecting', dot: 'bg-amber-500 animate-pulse', text: 'text-amber-600 dark:text-amber-400' }
  }
  if (connection !== 'open') return { label: 'Offline', dot: 'bg-red-500', text: 'text-red-600 dark:text-red-400' }
  if (status?.status === 'degraded') return { label: 'Degraded', dot: 'bg-amber-500', text: 'text-amber-600 dark:text-amber-400' }
  if (status?.status === 'unhealthy') return { label: 'Unhealthy', dot: 'bg-red-500', text: 'text-red-600 dark:text-red-400' }
  return { label: 'Live', dot: 'bg-green-500', text: 'text-green-700 dark:text-green-400' }
}

const connectionText: Record<ConnectionState, string> = {
  idle: 'Not started',
  connecting: 'Connecting…',
  open: 'Connected',
  closed: 'Disconnected (retrying)',
}

/** The header's dot and label, with system details in a dropdown. */
export function StatusIndicator({ connection, status, statusError, lastSeq }: Props) {
  const level = indicatorLevel(connection, status)
  return (
    <Popover
      trigger={(p) => (
        <button
          type="button"
          {...p}
          data-testid="ws-status"
          data-state={connection}
          className="flex items-center gap-2 rounded-md px-2 py-1 text-sm focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <span className={cn('h-2 w-2 rounded-full', level.dot)} aria-hidden />
          <span className={cn('font-medium', level.text)}>{level.label}</span>
        </button>
      )}
      className="w-72 p-3"
    >
      <dl className="space-y-2 text-xs">
        <Row label="Live updates">
          {connectionText[connection]}
          {lastSeq ? <span className="text-zinc-500"> · seq {lastSeq}</span> : null}
        </Row>
        {statusError != null && <p className="text-red-600">Status unavailable: {String((statusError as Error).message ?? statusError)}</p>}
        {status && (
          <>
            <Row label="Overall">{status.status}</Row>
            {status.database && (
              <Row label="Storage">
                {status.database.status}
                {status.database.latency ? ` · ${status.database.latency}` : ''}
                {status.database.error ? ` · ${status.database.error}` : ''}
              </Row>
            )}
            <Row label="GitHub runners">{clientText(status.github?.runners)}</Row>
            <Row label="GitHub dispatch">{clientText(status.github?.dispatch)}</Row>
            {status.queue && (
              <Row label="Queue">
                {status.queue.pending_jobs} pending
                {status.queue.dispatching_jobs !== undefined ? ` · ${status.queue.dispatching_jobs} dispatching` : ''} ·{' '}
                {status.queue.triggered_jobs} triggered · {status.queue.running_jobs} running
              </Row>
            )}
            {status.version && (
              <Row label="Version">
                {status.version.version} ({status.version.git_commit.slice(0, 7)}) · {status.version.build_date}
              </Row>
            )}
          </>
        )}
      </dl>
    </Popover>
  )
}

function clientText(c?: ClientStatus): string {
  if (!c) return 'Not configured'
  if (!c.connected) return c.error ? `Not connected: ${c.error}` : 'Not configured'
  const reset = c.reset_in ? ` · resets ${c.reset_in}` : ''
  return `${c.rate_limit_remaining} remaining${reset}`
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-3">
      <dt className="shrink-0 text-zinc-500">{label}</dt>
      <dd className="text-right text-zinc-800 dark:text-zinc-200">{children}</dd>
    </div>
  )
}
