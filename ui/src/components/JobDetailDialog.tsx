import { useEffect, useMemo, useState } from 'react'
import {
  buildJobUpdate,
  effectiveWorkflow,
  jobTitle,
  OVERRIDE_FIELDS,
  type Job,
  type JobEvent,
  type OverrideField,
  type UpdateJobRequest,
} from '@/services/jobs'
import type { JobTemplate } from '@/services/templates'
import { errorText } from '@/utils/api'
import { cn } from '@/utils/cn'
import { formatDateTime, jobDuration } from '@/utils/time'
import { useNow } from '@/utils/useNow'
import { Badge, LabelChip } from './Badge'
import { Button } from './Button'
import { InputValue, prettyValue } from './InputValue'
import { Modal } from './Modal'
import { PendingInfo } from './PendingInfo'
import { StatusPill } from './StatusPill'
import { workflowFileUrl } from './TemplateCard'
import { Timeline } from './Timeline'

const FIELD_LABELS: Record<OverrideField, string> = {
  owner: 'Owner',
  repo: 'Repository',
  workflow_id: 'Workflow File',
  ref: 'Branch/Ref',
}

interface Props {
  job: Job
  template?: JobTemplate | null
  isAdmin: boolean
  /** Timeline events; undefined hides the section (the route answered 404 or is loading). */
  events?: JobEvent[]
  eventsLoading?: boolean
  onSave: (body: UpdateJobRequest) => Promise<unknown>
  onClose: () => void
}

const inputClass =
  'block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 font-mono text-xs focus:border-sky-500 focus:ring-2 focus:ring-sky-500/40 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950'

/** Text shown in an input's editor; JSON is pretty-printed for reading. */
const editorText = (v: string) => prettyValue(v).text
const needsTextarea = (v: string) => v.length > 100 || prettyValue(v).json

export function JobDetailDialog({ job, template, isAdmin, events, eventsLoading, onSave, onClose }: Props) {
  const editable = isAdmin && job.status === 'pending'
  const original = useMemo(() => job.inputs ?? {}, [job.inputs])
  const workflow = useMemo(() => effectiveWorkflow(job, template), [job, template])
  // Edited values only: an untouched input keeps its exact original string,
  // even when the editor shows it pretty-printed.
  const [inputEdits, setInputEdits] = useState<Record<string, string>>({})
  const [wfDraft, setWfDraft] = useState(workflow)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const now = useNow(1000, job.status === 'running' || job.status === 'triggered' || job.status === 'dispatching')

  // A live update to the job resets the form only when nothing was edited.
  const draft = { inputs: { ...original, ...inputEdits }, workflow: wfDraft }
  const body = buildJobUpdate(job, template, draft)
  const dirty = Object.keys(body).length > 0
  useEffect(() => {
    if (!dirty) setWfDraft(workflow)
  }, [workflow])

  const discard = () => {
    setInputEdits({})
    setWfDraft(workflow)
    setError(null)
  }
  const save = async () => {
    if (!job.template_id && OVERRIDE_FIELDS.some((f) => wfDraft[f].trim() === '')) {
      setError('Manual jobs need owner, repository, workflow file and ref.')
      return
    }
    setSaving(true)
    setError(null)
    try {
      await onSave(body)
      setInputEdits({})
    } catch (err) {
      setError(errorText(err))
    } finally {
      setSaving(false)
    }
  }

  const templateLabels = Object.entries(template?.labels ?? {})
  const jobLabels = Object.entries(job.labels ?? {})
  const defaults = template?.default_inputs ?? {}

  return (
    <Modal
      open
      onClose={onClose}
      size="lg"
      testId="job-detail"
      title={
        <span className="flex flex-wrap items-center gap-2">
          <StatusPill status={job.status} paused={job.paused} />
          <span className="truncate">{jobTitle(job, template)}</span>
          {job.status === 'pending' && <span className="font-mono text-sm font-normal text-zinc-500">#{job.position}</span>}
        </span>
      }
      footer={
        editable ? (
          <>
            {error && (
              <p role="alert" className="mr-auto text-sm text-red-600 dark:text-red-400">
                {error}
              </p>
            )}
            <Button onClick={discard} disabled={!dirty || saving} data-testid="job-discard">
              Discard Changes
            </Button>
            <Button variant="primary" onClick={() => void save()} disabled={!dirty || saving} data-testid="job-save">
              {saving ? 'Saving…' : 'Save Changes'}
            </Button>
          </>
        ) : undefined
      }
    >
      <div className="space-y-5 text-sm">
        {(templateLabels.length > 0 || jobLabels.length > 0) && (
          <div className="flex flex-wrap gap-1">
            {(jobLabels.length > 0 ? jobLabels : templateLabels).map(([k, v]) => (
              <LabelChip key={k}>
                {k}: {v}
              </LabelChip>
            ))}
          </div>
        )}
        {(job.status === 'pending' || job.status === 'dispatching') && <PendingInfo reason={job.pending_reason} eta={job.eta} />}

        <Section title="Workflow">
          <div className="grid gap-3 sm:grid-cols-2">
            {OVERRIDE_FIELDS.map((f) => {
              const overridden = !!template && wfDraft[f].trim() !== '' && wfDraft[f].trim() !== template[f]
              return (
                <div key={f}>
                  <div className="mb-1 flex items-center gap-2 text-xs text-zinc-500">
                    {FIELD_LABELS[f]}
                    {overridden && <Badge tone="amber">overridden</Badge>}
                  </div>
                  {editable ? (
                    <div className="flex gap-1">
                      <input
                        className={inputClass}
                        value={wfDraft[f]}
                        onChange={(e) => setWfDraft((d) => ({ ...d, [f]: e.target.value }))}
                        aria-label={FIELD_LABELS[f]}
                        data-testid={`override-${f}`}
                      />
                      {overridden && (
                        <Button size="xs" variant="ghost" onClick={() => setWfDraft((d) => ({ ...d, [f]: template![f] }))} data-testid={`override-reset-${f}`}>
                          Reset
                        </Button>
                      )}
                    </div>
                  ) : (
                    <p className={cn('font-mono text-xs', overridden && 'text-amber-600 dark:text-amber-400')}>{workflow[f] || '—'}</p>
                  )}
                  {overridden && template && <p className="mt-0.5 text-[11px] text-zinc-500">template: {template[f]}</p>}
                </div>
              )
            })}
          </div>
          <p className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs">
            <a className="text-sky-600 hover:underline dark:text-sky-400" href={`https://github.com/${workflow.owner}/${workflow.repo}`} target="_blank" rel="noreferrer">
              Repository
            </a>
            <a className="text-sky-600 hover:underline dark:text-sky-400" href={workflowFileUrl(workflow.owner, workflow.repo, workflow.ref, workflow.workflow_id)} target="_blank" rel="noreferrer">
              Workflow file
            </a>
            {job.run_id ? (
              job.run_url ? (
                <a className="text-sky-600 hover:underline dark:text-sky-400" href={job.run_url} target="_blank" rel="noreferrer">
                  Run #{job.run_id}
                </a>
              ) : (
                <span>Run #{job.run_id}</span>
              )
            ) : null}
          </p>
        </Section>

        <Section title="Timing">
          <dl className="grid grid-cols-2 gap-x-4 gap-y-2 sm:grid-cols-3">
            <Field label="Created">{formatDateTime(job.created_at)}</Field>
            <Field label="Created By">{job.created_by || '—'}</Field>
            <Field label="Started">{formatDateTime(job.triggered_at)}</Field>
            <Field label="Completed">{formatDateTime(job.completed_at)}</Field>
            <Field label="Duration">{jobDuration(job.triggered_at, job.completed_at, now) ?? '—'}</Field>
            <Field label="Runner">{job.runner_name || '—'}</Field>
          </dl>
        </Section>

        <Section title="Auto-requeue">
          <dl className="grid grid-cols-3 gap-x-4">
            <Field label="Status">{job.auto_requeue ? 'enabled' : 'disabled'}</Field>
            <Field label="Limit">{job.requeue_limit ?? 'unlimited'}</Field>
            <Field label="Count">{job.requeue_count}</Field>
          </dl>
        </Section>

        {job.error_message && (
          <Section title="Error">
            <p className="rounded-md bg-red-50 p-2 text-xs text-red-700 dark:bg-red-950/40 dark:text-red-300">{job.error_message}</p>
          </Section>
        )}

        <Section title="Workflow Inputs">
          {Object.keys(original).length === 0 ? (
            <p className="text-xs text-zinc-500">No inputs.</p>
          ) : (
            <dl className="space-y-3">
              {Object.entries(original).map(([k, v]) => {
                const current = inputEdits[k] ?? v
                const differs = k in defaults && current !== defaults[k]
                return (
                  <div key={k}>
                    <dt className="mb-1 flex items-center gap-2 font-mono text-xs text-zinc-500">
                      {k}
                      {differs && <Badge tone="amber">overridden</Badge>}
                    </dt>
                    <dd>
                      {editable ? (
                        needsTextarea(v) ? (
                          <textarea
                            className={cn(inputClass, 'min-h-24')}
                            rows={Math.min(12, editorText(current).split('\n').length + 1)}
                            value={k in inputEdits ? inputEdits[k] : editorText(v)}
                            onChange={(e) => setInputEdits((d) => ({ ...d, [k]: e.target.value }))}
                            aria-label={`Input ${k}`}
                            data-testid={`input-${k}`}
                          />
                        ) : (
                          <input
                            className={inputClass}
                            value={current}
                            onChange={(e) => setInputEdits((d) => ({ ...d, [k]: e.target.value }))}
                            aria-label={`Input ${k}`}
                            data-testid={`input-${k}`}
                          />
                        )
                      ) : (
                        <InputValue value={v} />
                      )}
                      {differs && (
                        <p className="mt-0.5 text-[11px] break-all text-zinc-500">
                          default: <span className="font-mono">{defaults[k] || '""'}</span>
                        </p>
                      )}
                    </dd>
                  </div>
                )
              })}
            </dl>
          )}
        </Section>

        {(events || eventsLoading) && (
          <Section title="Timeline">
            {events ? <Timeline events={events} /> : <p className="text-xs text-zinc-500">Loading…</p>}
          </Section>
        )}
      </div>
    </Modal>
  )
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section>
      <h3 className="mb-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{title}</h3>
      {children}
    </section>
  )
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="truncate text-sm">{children}</dd>
    </div>
  )
}
