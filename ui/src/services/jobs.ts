import { request } from '@/utils/api'
import type { JobTemplate } from './templates'

export type JobStatus = 'pending' | 'dispatching' | 'triggered' | 'running' | 'completed' | 'failed' | 'cancelled'

export const ACTIVE_STATUSES: readonly JobStatus[] = ['dispatching', 'triggered', 'running']
export const TERMINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled']

export interface Job {
  id: string
  group_id: string
  template_id: string
  priority: number
  position: number
  status: JobStatus
  paused: boolean
  auto_requeue: boolean
  requeue_limit: number | null
  requeue_count: number
  inputs: Record<string, string> | null
  created_by: string
  triggered_at: string | null
  run_id: number | null
  run_url: string
  runner_id: number | null
  runner_name: string
  completed_at: string | null
  error_message: string
  created_at: string
  updated_at: string
  name?: string
  owner?: string
  repo?: string
  workflow_id?: string
  ref?: string
  labels?: Record<string, string>
  /** Why a queued job is not running yet, e.g. "3 jobs ahead". */
  pending_reason?: string
  /** Estimated start (RFC 3339), or null when unknown. */
  eta?: string | null
}

/** The override fields a job may carry on top of its template. */
export const OVERRIDE_FIELDS = ['owner', 'repo', 'workflow_id', 'ref'] as const
export type OverrideField = (typeof OVERRIDE_FIELDS)[number]

export interface AddJobRequest {
  template_id?: string
  inputs?: Record<string, string>
  auto_requeue?: boolean
  requeue_limit?: number | null
  name?: string
  owner?: string
  repo?: string
  workflow_id?: string
  ref?: string
  labels?: Record<string, string>
}

export interface UpdateJobRequest {
  inputs?: Record<string, string>
  name?: string
  owner?: string
  repo?: string
  workflow_id?: string
  ref?: string
  labels?: Record<string, string>
}

export interface AutoRequeueRequest {
  auto_requeue: boolean
  requeue_limit: number | null
}

export interface JobEvent {
  index: number
  time: string
  type: string
  actor: string
  ip?: string
  reason?: string
  summary: string
}

const jobPath = (id: string) => `/jobs/${encodeURIComponent(id)}`

export const fetchQueue = (groupId: string, signal?: AbortSignal) =>
  request<Job[]>(`/groups/${encodeURIComponent(groupId)}/queue`, { signal })
export const fetchJob = (id: string, signal?: AbortSignal) => request<Job>(jobPath(id), { signal })
export const fetchJobEvents = (id: string, signal?: AbortSignal) =>
  request<JobEvent[]>(`${jobPath(id)}/events`, { signal })

export const addJob = (groupId: string, body: AddJobRequest) =>
  request<Job>(`/groups/${encodeURIComponent(groupId)}/queue`, { method: 'POST', body })
export const reorderQueue = (groupId: string, jobIds: string[]) =>
  request<void>(`/groups/${encodeURIComponent(groupId)}/queue/reorder`, { method: 'PUT', body: { job_ids: jobIds } })
export const updateJob = (id: string, body: UpdateJobRequest) => request<Job>(jobPath(id), { method: 'PUT', body })
export const deleteJob = (id: string) => request<void>(jobPath(id), { method: 'DELETE' })
export const pauseJob = (id: string) => request<Job>(`${jobPath(id)}/pause`, { method: 'POST' })
export const unpauseJob = (id: string) => request<Job>(`${jobPath(id)}/unpause`, { method: 'POST' })
export const cancelJob = (id: string) => request<Job>(`${jobPath(id)}/cancel`, { method: 'POST' })
export const disableRequeue = (id: string) => request<Job>(`${jobPath(id)}/disable-requeue`, { method: 'POST' })
export const setAutoRequeue = (id: string, body: AutoRequeueRequest) =>
  request<Job>(`${jobPath(id)}/auto-requeue`, { method: 'PUT', body })

export const isActive = (s: JobStatus): boolean => ACTIVE_STATUSES.includes(s)
export const isTerminal = (s: JobStatus): boolean => TERMINAL_STATUSES.includes(s)
export const isQueued = (s: JobStatus): boolean => s === 'pending' || isActive(s)

/**
 * Body for turning auto-requeue on or off while keeping the job's own limit.
 * The reference sent null here, which silently made every limit unlimited.
 */
export function autoRequeueBody(job: Pick<Job, 'requeue_limit'>, enabled: boolean): AutoRequeueRequest {
  return { auto_requeue: enabled, requeue_limit: job.requeue_limit ?? null }
}

/**
 * Turns auto-requeue on or off for one job. Disabling an in-flight job uses
 * disable-requeue ("finish this run, do not create another"), which works in
 * any status; everything else uses the PUT with the job's current limit.
 */
export function toggleAutoRequeue(job: Job, enabled: boolean): Promise<Job> {
  if (!enabled && isActive(job.status)) return disableRequeue(job.id)
  return setAutoRequeue(job.id, autoRequeueBody(job, enabled))
}

/** Queue order of the server: in-flight first by start time, then pending by position. */
export function sortQueue(jobs: readonly Job[]): Job[] {
  const active = jobs.filter((j) => isActive(j.status))
  const pending = jobs.filter((j) => j.status === 'pending')
  active.sort((a, b) => timeValue(a.triggered_at ?? a.created_at) - timeValue(b.triggered_at ?? b.created_at))
  pending.sort((a, b) => a.position - b.position)
  return [...active, ...pending]
}

function timeValue(s: string | null | undefined): number {
  const t = s ? Date.parse(s) : NaN
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t
}

/** The owner/repo/workflow/ref the job will run with: override when non-empty, else template. */
export function effectiveWorkflow(job: Job, template?: JobTemplate | null): Record<OverrideField, string> {
  const pick = (f: OverrideField) => (job[f] ? (job[f] as string) : (template?.[f] ?? ''))
  return { owner: pick('owner'), repo: pick('repo'), workflow_id: pick('workflow_id'), ref: pick('ref') }
}

/** True when the job changes the template's owner, repo, workflow or ref. */
export function isOverridden(job: Job, template: JobTemplate | null | undefined, field: OverrideField): boolean {
  const v = job[field]
  return !!template && !!v && v !== template[field]
}

/** A job is a "Template" job when it runs the template exactly as defined. */
export function isPureTemplateJob(job: Job, template: JobTemplate | null | undefined): boolean {
  if (!template) return false
  if (OVERRIDE_FIELDS.some((f) => isOverridden(job, template, f))) return false
  return sameMap(job.inputs ?? {}, template.default_inputs ?? {})
}

export function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k])
}

export function jobTitle(job: Job, template?: JobTemplate | null): string {
  if (job.name) return job.name
  if (template?.name) return template.name
  return job.template_id ? job.template_id : 'Manual Job'
}

export function autoRequeueLabel(job: Pick<Job, 'auto_requeue' | 'requeue_limit' | 'requeue_count'>): string | null {
  if (!job.auto_requeue) return null
  if (job.requeue_limit === null || job.requeue_limit === undefined) {
    return job.requeue_count > 0 ? `${job.requeue_count}/∞` : '∞'
  }
  return `${job.requeue_count}/${job.requeue_limit}`
}

export interface JobDraft {
  inputs: Record<string, string>
  workflow: Record<OverrideField, string>
}

/**
 * Builds the PUT body for the detail dialog's edits. Only what changed is sent.
 * A workflow field edited back to the template value (or emptied) clears the
 * override by sending "" explicitly: the server treats "" as "use the
 * template", while an omitted field would leave the old override in place.
 */
export function buildJobUpdate(job: Job, template: JobTemplate | null | undefined, draft: JobDraft): UpdateJobRequest {
  const body: UpdateJobRequest = {}
  if (!sameMap(draft.inputs, job.inputs ?? {})) body.inputs = { ...draft.inputs }
  const current = effectiveWorkflow(job, template)
  for (const field of OVERRIDE_FIELDS) {
    const wanted = draft.workflow[field].trim()
    if (wanted === current[field]) continue
    if (template && (wanted === '' || wanted === template[field])) {
      if (job[field]) body[field] = ''
      continue
    }
    body[field] = wanted
  }
  return body
}
