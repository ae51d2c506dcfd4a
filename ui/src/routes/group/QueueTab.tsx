import { useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { BulkAction, BulkBar, type BulkActionSpec } from '@/components/BulkAction'
import { Button } from '@/components/Button'
import { JobCard, type JobActions } from '@/components/JobCard'
import { SortableJobList } from '@/components/SortableJobList'
import { EmptyState } from '@/components/Spinner'
import { applyLiveMessage } from '@/live/cache'
import { queryKeys } from '@/services/keys'
import {
  cancelJob,
  deleteJob,
  isActive,
  jobTitle,
  pauseJob,
  reorderQueue,
  toggleAutoRequeue,
  unpauseJob,
  type Job,
} from '@/services/jobs'
import type { JobTemplate } from '@/services/templates'
import { errorText } from '@/utils/api'
import { applyJob, applyRemoved } from './useJobActions'

type Column = 'pending' | 'running'

interface Props {
  groupId: string
  jobs: Job[]
  templates: Map<string, JobTemplate>
  isAdmin: boolean
  actions: JobActions
  onOpenDetails: (job: Job) => void
}

export function QueueTab({ groupId, jobs, templates, isAdmin, actions, onOpenDetails }: Props) {
  const qc = useQueryClient()
  const pending = useMemo(() => jobs.filter((j) => j.status === 'pending').sort((a, b) => a.position - b.position), [jobs])
  // Newest first, as operators look for what just started.
  const running = useMemo(
    () =>
      jobs
        .filter((j) => isActive(j.status))
        .sort((a, b) => (b.triggered_at ?? b.updated_at ?? '').localeCompare(a.triggered_at ?? a.updated_at ?? '')),
    [jobs],
  )
  const [selecting, setSelecting] = useState<Column | null>(null)
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [bulk, setBulk] = useState<BulkActionSpec<Job> | null>(null)
  const [reorderError, setReorderError] = useState<string | null>(null)

  const columnJobs = selecting === 'pending' ? pending : selecting === 'running' ? running : []
  const selectedJobs = columnJobs.filter((j) => selected.has(j.id))

  const startSelecting = (c: Column) => {
    setSelecting(c)
    setSelected(new Set())
  }
  const stopSelecting = () => {
    setSelecting(null)
    setSelected(new Set())
  }
  const toggle = (job: Job) =>
    setSelected((s) => {
      const next = new Set(s)
      if (next.has(job.id)) next.delete(job.id)
      else next.add(job.id)
      return next
    })

  const reorder = async (ids: string[]) => {
    setReorderError(null)
    applyLiveMessage(qc, { type: 'queue_reordered', group_id: groupId, payload: { group_id: groupId, job_ids: ids } })
    try {
      await reorderQueue(groupId, ids)
    } catch (err) {
      setReorderError(`Reorder failed: ${errorText(err)}`)
      void qc.invalidateQueries({ queryKey: queryKeys.queue(groupId) })
    }
  }

  const describe = (j: Job) => jobTitle(j, templates.get(j.template_id))
  const plan = (spec: Omit<BulkActionSpec<Job>, 'items' | 'describe' | 'description'> & { description: string }) =>
    setBulk({ ...spec, items: selectedJobs, describe, description: <p>{spec.description.replace('{n}', String(selectedJobs.length))}</p> })

  const renderCard = (job: Job, handle: React.ReactNode) => (
    <JobCard
      job={job}
      template={templates.get(job.template_id)}
      isAdmin={isAdmin}
      actions={actions}
      onOpenDetails={onOpenDetails}
      selectable={selecting === (job.status === 'pending' ? 'pending' : 'running')}
      selected={selected.has(job.id)}
      onToggleSelect={toggle}
      dragHandle={handle}
    />
  )

  return (
    <div className="grid gap-6 lg:grid-cols-2" data-testid="queue-tab">
      <section aria-labelledby="pending-heading">
        <ColumnHeader
          id="pending-heading"
          title={`Pending (${pending.length})`}
          hint={isAdmin && pending.length > 1 && selecting !== 'pending' ? '(drag to reorder)' : undefined}
          isAdmin={isAdmin}
          count={pending.length}
          selecting={selecting === 'pending'}
          selectedCount={selecting === 'pending' ? selectedJobs.length : 0}
          onStart={() => startSelecting('pending')}
          onStop={stopSelecting}
          onSelectAll={() => setSelected(new Set(pending.map((j) => j.id)))}
          onDeselectAll={() => setSelected(new Set())}
          testId="pending"
        />
        {reorderError && (
          <p role="alert" className="mb-2 text-sm text-red-600 dark:text-red-400">
            {reorderError}
          </p>
        )}
        {pending.length === 0 ? (
          <EmptyState>No pending jobs.</EmptyState>
        ) : (
          <SortableJobList
            jobs={pending}
            enabled={isAdmin && selecting !== 'pending'}
            onReorder={(ids) => void reorder(ids)}
            renderCard={renderCard}
          />
        )}
      </section>
      <section aria-labelledby="running-heading">
        <ColumnHeader
          id="running-heading"
          title={`Running (${running.length})`}
          isAdmin={isAdmin}
          count={running.length}
          selecting={selecting === 'running'}
          selectedCount={selecting === 'running' ? selectedJobs.length : 0}
          onStart={() => startSelecting('running')}
          onStop={stopSelecting}
          onSelectAll={() => setSelected(new Set(running.map((j) => j.id)))}
          onDeselectAll={() => setSelected(new Set())}
          testId="running"
        />
        {running.length === 0 ? (
          <EmptyState>Nothing is running.</EmptyState>
        ) : (
          <ul className="space-y-2">
            {running.map((j) => (
              <li key={j.id}>{renderCard(j, null)}</li>
            ))}
          </ul>
        )}
      </section>

      <BulkBar count={selectedJobs.length} onClear={() => setSelected(new Set())}>
        {selecting === 'pending' && (
          <>
            <Button size="xs" data-testid="bulk-pause" onClick={() => plan({ label: 'Pause', title: 'Pause jobs?', description: 'Pause {n} pending jobs? Paused jobs keep their place but are skipped by the dispatcher.', call: async (j) => applyJob(qc, await pauseJob(j.id)) })}>
              Pause
            </Button>
            <Button size="xs" data-testid="bulk-resume" onClick={() => plan({ label: 'Resume', title: 'Resume jobs?', description: 'Resume {n} jobs so they can be dispatched again?', call: async (j) => applyJob(qc, await unpauseJob(j.id)) })}>
              Resume
            </Button>
            <Button size="xs" variant="danger" data-testid="bulk-remove" onClick={() => plan({ label: 'Remove', title: 'Remove jobs?', tone: 'danger', description: 'Remove {n} pending jobs permanently?', warning: 'This cannot be undone.', call: async (j) => { await deleteJob(j.id); applyRemoved(qc, j) } })}>
              Remove
            </Button>
          </>
        )}
        {selecting === 'running' && (
          <>
            <Button size="xs" variant="danger" data-testid="bulk-cancel" onClick={() => plan({ label: 'Cancel', title: 'Cancel jobs?', tone: 'danger', description: 'Cancel {n} jobs and their GitHub runs?', warning: selectedJobs.some((j) => j.auto_requeue) ? 'Some of these jobs have auto-requeue on and will reappear in the queue.' : undefined, call: async (j) => applyJob(qc, await cancelJob(j.id)) })}>
              Cancel
            </Button>
            <Button size="xs" data-testid="bulk-enable-requeue" onClick={() => plan({ label: 'Enable auto-requeue', title: 'Enable auto-requeue?', description: 'Enable auto-requeue for {n} jobs? Each keeps its own requeue limit.', call: async (j) => applyJob(qc, await toggleAutoRequeue(j, true)) })}>
              Enable Auto-requeue
            </Button>
            <Button size="xs" data-testid="bulk-disable-requeue" onClick={() => plan({ label: 'Disable auto-requeue', title: 'Disable auto-requeue?', tone: 'warning', description: 'Disable auto-requeue for {n} jobs? Their current runs finish, but no new jobs are created.', call: async (j) => applyJob(qc, await toggleAutoRequeue(j, false)) })}>
              Disable Auto-requeue
            </Button>
          </>
        )}
      </BulkBar>
      <BulkAction spec={bulk} onClose={() => setBulk(null)} onFinished={() => setSelected(new Set())} />
    </div>
  )
}

interface HeaderProps {
  id: string
  title: string
  hint?: string
  isAdmin: boolean
  count: number
  selecting: boolean
  selectedCount: number
  onStart: () => void
  onStop: () => void
  onSelectAll: () => void
  onDeselectAll: () => void
  testId: string
}

function ColumnHeader(p: HeaderProps) {
  return (
    <div className="mb-3 flex flex-wrap items-center gap-2">
      <h3 id={p.id} className="text-sm font-semibold">
        {p.title}
      </h3>
      {p.hint && <span className="text-xs text-zinc-500">{p.hint}</span>}
      {p.isAdmin && p.count > 0 && (
        <div className="ml-auto flex items-center gap-1">
          {p.selecting ? (
            <>
              <span className="text-xs text-zinc-500">({p.selectedCount} selected)</span>
              <Button size="xs" variant="ghost" onClick={p.onSelectAll}>
                Select all
              </Button>
              <Button size="xs" variant="ghost" onClick={p.onDeselectAll}>
                Deselect all
              </Button>
              <Button size="xs" onClick={p.onStop}>
                Done
              </Button>
            </>
          ) : (
            <Button size="xs" variant="ghost" onClick={p.onStart} data-testid={`select-${p.testId}`}>
              Select
            </Button>
          )}
        </div>
      )}
    </div>
  )
}
