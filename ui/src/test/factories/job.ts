import type { Job, JobStatus } from '@/services/jobs'

let seq = 0

/** A pending template job with every field set; override what a test cares about. */
export function job(overrides: Partial<Job> = {}): Job {
  seq++
  return {
    id: `job-${seq}`,
    group_id: 'g1',
    template_id: 'tpl-1',
    priority: 0,
    position: seq,
    status: 'pending',
    paused: false,
    auto_requeue: false,
    requeue_limit: null,
    requeue_count: 0,
    inputs: { network: 'hoodi' },
    created_by: 'alice',
    triggered_at: null,
    run_id: null,
    run_url: '',
    runner_id: null,
    runner_name: '',
    completed_at: null,
    error_message: '',
    created_at: '2026-01-10T12:00:00Z',
    updated_at: '2026-01-10T12:00:00Z',
    ...overrides,
  }
}

const at = (s: JobStatus, extra: Partial<Job> = {}) => (o: Partial<Job> = {}) => job({ status: s, ...extra, ...o })

export const pending = at('pending')
export const paused = at('pending', { paused: true })
export const dispatching = at('dispatching')
export const triggered = at('triggered', { triggered_at: '2026-01-10T12:01:00Z', run_id: 0 })
export const running = at('running', {
  triggered_at: '2026-01-10T12:01:00Z',
  run_id: 42,
  run_url: 'https://github.com/o/r/actions/runs/42',
  runner_id: 7,
  runner_name: 'runner-7',
})
export const completed = at('completed', { triggered_at: '2026-01-10T12:01:00Z', completed_at: '2026-01-10T12:05:00Z' })
export const failed = at('failed', { completed_at: '2026-01-10T12:05:00Z', error_message: 'Workflow failure' })
export const manual = (o: Partial<Job> = {}) =>
  job({ template_id: '', owner: 'octo', repo: 'tools', workflow_id: 'ci.yml', ref: 'main', ...o })
