import { useState, type ReactNode } from 'react'
import {
  autoRequeueLabel,
  effectiveWorkflow,
  isActive,
  isOverridden,
  isPureTemplateJob,
  jobTitle,
  type Job,
} from '@/services/jobs'
import type { JobTemplate } from '@/services/templates'
import { cn } from '@/utils/cn'
import { errorText } from '@/utils/api'
import { formatDateTime, formatRelative, jobDuration } from '@/utils/time'
import { useNow } from '@/utils/useNow'
import { Badge, LabelChip } from './Badge'
import { IconButton } from './Button'
import { ConfirmDialog } from './ConfirmDialog'
import { Icon } from './Icon'
import { PendingInfo } from './PendingInfo'
import { StatusPill } from './StatusPill'

/** What an admin can do to a job; the page supplies the API calls. */
export interface JobActions {
  cancel: (job: Job) => Promise<unknown>
  setAutoRequeue: (job: Job, enabled: boolean) => Promise<unknown>
  pause: (job: Job) => Promise<unknown>
  resume: (job: Job) => Promise<unknown>
  remove: (job: Job) => Promise<unknown>
}

export interface JobCardProps {
  job: Job
  template?: JobTemplate | null
  isAdmin: boolean
  actions?: JobActions
  onOpenDetails: (job: Job) => void
  /** Selection mode: a checkbox replaces the actions. */
  selectable?: boolean
  selected?: boolean
  onToggleSelect?: (job: Job) => void
  /** Drag handle for the sortable pending column. */
  dragHandle?: ReactNode
  /** Fixed clock for tests. */
  now?: number
}

type Pending = 'cancel' | 'disable-requeue' | 'remove' | null

export function JobCard(props: JobCardProps) {
  const { job, template, isAdmin, actions, onOpenDetails, selectable, selected, onToggleSelect, dragHandle } = props
  const active = isActive(job.status)
  const ticking = useNow(1000, props.now === undefined && active)
  const now = props.now ?? ticking
  const [confirm, setConfirm] = useState<Pending>(null)
  const [error, setError] = useState<string | null>(null)

  const run = (fn: () => Promise<unknown>) => {
    setError(null)
    fn().catch((err) => setError(errorText(err)))
  }

  const requeue = autoRequeueLabel(job)
  const workflow = effectiveWorkflow(job, template)
  const repoOverridden = isOverridden(job, template, 'owner') || isOverridden(job, template, 'repo')
  const labels = Object.entries(job.labels && Object.keys(job.labels).length > 0 ? job.labels : (template?.labels ?? {}))
  const canToggleRequeue = job.status === 'pending' || active
  const duration = jobDuration(job.triggered_at, job.completed_at, now)

  return (
    <article
      data-testid="job-card"
      data-job-id={job.id}
      data-status={job.status}
      className={cn(
        'group/card animate-card-in rounded-lg border bg-white p-3 shadow-xs transition-colors dark:bg-zinc-900',
        selected ? 'border-sky-500 ring-1 ring-sky-500' : 'border-zinc-200 dark:border-zinc-800',
        job.paused && 'opacity-80',
      )}
    >
      <div className="flex items-start gap-2">
        {selectable && (
          <input
            type="checkbox"
            className="mt-1 h-4 w-4 accent-sky-600"
            checked={!!selected}
            onChange={() => onToggleSelect?.(job)}
            aria-label={`Select ${jobTitle(job, template)}`}
            data-testid="job-select"
          />
        )}
        {dragHandle}
        <div className="min-w-0 flex-1 space-y-1.5">
          <div className="flex flex-wrap items-center gap-1.5">
            <StatusPill status={job.status} paused={job.paused} />
            {job.status === 'pending' && (
              <span className="font-mono text-xs text-zinc-500" data-testid="job-position">
                #{job.position}
              </span>
            )}
            {!job.template_id && (
              <Badge tone="sky" data-testid="badge-manual">
                Manual
              </Badge>
            )}
            {isPureTemplateJob(job, template) && <Badge data-testid="badge-template">Template</Badge>}
            {requeue && (
              <Badge tone="violet" data-testid="badge-requeue" title="Auto-requeue: runs so far / limit">
                <Icon name="repeat" className="h-3 w-3" />
                {requeue}
              </Badge>
            )}
          </div>
          <h3 className="truncate text-sm font-medium" title={jobTitle(job, template)} data-testid="job-title">
            {jobTitle(job, template)}
          </h3>
          {labels.length > 0 && (
            <div className="flex flex-wrap gap-1">
              {labels.slice(0, 3).map(([k, v]) => (
                <LabelChip key={k}>
                  {k}: {v}
                </LabelChip>
              ))}
              {labels.length > 3 && <span className="text-xs text-zinc-500">+{labels.length - 3}</span>}
            </div>
          )}
          {(job.status === 'pending' || job.status === 'dispatching') && (
            <PendingInfo reason={job.pending_reason} eta={job.eta} now={props.now} />
          )}
          {job.error_message && (
            <p className="text-xs break-words text-red-600 dark:text-red-400" data-testid="job-error">
              {job.error_message}
            </p>
          )}
        </div>
        {!selectable && (
          <div className="flex shrink-0 items-center">
            <IconButton label="Details" size="xs" onClick={() => onOpenDetails(job)} data-testid="job-details">
              <Icon name="info" />
            </IconButton>
            {job.run_url && (
              <a
                href={job.run_url}
                target="_blank"
                rel="noreferrer"
                title="Open run on GitHub"
                aria-label="Open run on GitHub"
                className="inline-flex h-7 w-7 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
                data-testid="job-run-link"
              >
                <Icon name="external" />
              </a>
            )}
            {isAdmin && actions && (
              <>
                {canToggleRequeue && (
                  <IconButton
                    label={job.auto_requeue ? 'Disable auto-requeue' : 'Enable auto-requeue'}
                    size="xs"
                    className={job.auto_requeue ? 'text-violet-600 dark:text-violet-400' : undefined}
                    aria-pressed={job.auto_requeue}
                    onClick={() =>
                      job.auto_requeue ? setConfirm('disable-requeue') : run(() => actions.setAutoRequeue(job, true))
                    }
                    data-testid="job-toggle-requeue"
                  >
                    <Icon name="repeat" />
                  </IconButton>
                )}
                {job.status === 'pending' && (
                  <IconButton
                    label={job.paused ? 'Resume' : 'Pause'}
                    size="xs"
                    onClick={() => run(() => (job.paused ? actions.resume(job) : actions.pause(job)))}
                    data-testid={job.paused ? 'job-resume' : 'job-pause'}
                  >
                    <Icon name={job.paused ? 'play' : 'pause'} />
                  </IconButton>
                )}
                {active && (
                  <IconButton
                    label="Cancel"
                    size="xs"
                    className="hover:text-red-600"
                    onClick={() => setConfirm('cancel')}
                    data-testid="job-cancel"
                  >
                    <Icon name="stop" />
                  </IconButton>
                )}
                {(job.status === 'pending' || job.status === 'failed') && (
                  <IconButton
                    label="Remove"
                    size="xs"
                    className="hover:text-red-600"
                    onClick={() => setConfirm('remove')}
                    data-testid="job-remove"
                  >
                    <Icon name="trash" />
                  </IconButton>
                )}
              </>
            )}
          </div>
        )}
      </div>

      <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 border-t border-zinc-100 pt-2 text-xs text-zinc-500 dark:border-zinc-800">
        <span className={cn('truncate font-mono', repoOverridden && 'text-amber-600 dark:text-amber-400')} title={repoOverridden ? 'Overridden' : undefined}>
          {workflow.owner}/{workflow.repo}
        </span>
        {job.runner_name && (
          <span className="flex items-center gap-1" data-testid="job-runner">
            <Icon name="server" className="h-3 w-3" />
            {job.runner_name}
          </span>
        )}
        <span title={formatDateTime(job.created_at)}>created {formatRelative(job.created_at, now)}</span>
        {job.triggered_at && <span title={formatDateTime(job.triggered_at)}>started {formatRelative(job.triggered_at, now)}</span>}
        {job.completed_at && (
          <span title={formatDateTime(job.completed_at)}>finished {formatRelative(job.completed_at, now)}</span>
        )}
        {duration && (
          <span className="ml-auto font-mono tabular-nums" data-testid="job-duration">
            {duration}
          </span>
        )}
      </div>
      {error && (
        <p role="alert" className="mt-2 text-xs text-red-600 dark:text-red-400">
          {error}
        </p>
      )}

      {actions && (
        <>
          <ConfirmDialog
            open={confirm === 'cancel'}
            title="Cancel job?"
            confirmLabel="Cancel job"
            tone="danger"
            onClose={() => setConfirm(null)}
            onConfirm={() => actions.cancel(job)}
            warning={
              job.auto_requeue
                ? 'Auto-requeue is on: this job will reappear in the queue after it is cancelled. Disable auto-requeue first to stop it for good.'
                : undefined
            }
          >
            <p>
              Cancel <strong>{jobTitle(job, template)}</strong>
              {job.runner_name ? (
                <>
                  {' '}
                  running on <strong>{job.runner_name}</strong>
                </>
              ) : null}
              ? The GitHub run is cancelled as well when it is known.
            </p>
          </ConfirmDialog>
          <ConfirmDialog
            open={confirm === 'disable-requeue'}
            title="Disable auto-requeue?"
            confirmLabel="Disable"
            tone="warning"
            onClose={() => setConfirm(null)}
            onConfirm={() => actions.setAutoRequeue(job, false)}
          >
            <p>
              {active
                ? 'The current run finishes, but no new job will be created after it.'
                : 'This job will no longer be requeued after it finishes.'}
            </p>
          </ConfirmDialog>
          <ConfirmDialog
            open={confirm === 'remove'}
            title="Remove job?"
            confirmLabel="Remove"
            tone="danger"
            onClose={() => setConfirm(null)}
            onConfirm={() => actions.remove(job)}
          >
            <p>
              Remove <strong>{jobTitle(job, template)}</strong> permanently? This cannot be undone.
            </p>
          </ConfirmDialog>
        </>
      )}
    </article>
  )
}
