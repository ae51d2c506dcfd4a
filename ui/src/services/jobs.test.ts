// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { completed, dispatching, job, manual, pending, running, triggered } from '@/test/factories/job'
import { template } from '@/test/factories/template'
import { mockFetch, pathOf } from '@/test/fetchMock'
import {
  autoRequeueBody,
  autoRequeueLabel,
  buildJobUpdate,
  effectiveWorkflow,
  isPureTemplateJob,
  jobTitle,
  sortQueue,
  toggleAutoRequeue,
  type JobDraft,
} from './jobs'

const tpl = template()
const draftOf = (j = pending(), t = tpl): JobDraft => ({ inputs: { ...(j.inputs ?? {}) }, workflow: effectiveWorkflow(j, t) })

describe('buildJobUpdate', () => {
  it('sends nothing when nothing changed', () => {
    const j = pending({ owner: 'fork' })
    expect(buildJobUpdate(j, tpl, draftOf(j))).toEqual({})
  })

  it('sends "" explicitly to clear an override set back to the template value', () => {
    const j = pending({ owner: 'fork', ref: 'feature' })
    const draft = draftOf(j)
    draft.workflow.owner = tpl.owner
    draft.workflow.ref = ''
    expect(buildJobUpdate(j, tpl, draft)).toEqual({ owner: '', ref: '' })
  })

  it('sends a new override and only the changed inputs map', () => {
    const j = pending({ inputs: { network: 'hoodi', extra: '1' } })
    const draft = draftOf(j)
    draft.workflow.repo = 'other-repo'
    draft.inputs.network = 'sepolia'
    expect(buildJobUpdate(j, tpl, draft)).toEqual({ repo: 'other-repo', inputs: { network: 'sepolia', extra: '1' } })
  })

  it('does not send "" for a field that never had an override', () => {
    const j = pending()
    const draft = draftOf(j)
    draft.workflow.workflow_id = '  '
    expect(buildJobUpdate(j, tpl, draft)).toEqual({})
  })

  it('keeps manual job fields as plain values', () => {
    const j = manual()
    const draft = draftOf(j, undefined as never)
    draft.workflow.ref = 'release'
    expect(buildJobUpdate(j, undefined, draft)).toEqual({ ref: 'release' })
  })
})

describe('auto-requeue', () => {
  it('keeps each job its own limit', () => {
    expect(autoRequeueBody(running({ requeue_limit: 3 }), true)).toEqual({ auto_requeue: true, requeue_limit: 3 })
    expect(autoRequeueBody(running({ requeue_limit: null }), false)).toEqual({ auto_requeue: false, requeue_limit: null })
  })

  it('uses disable-requeue for in-flight jobs and the PUT with the current limit otherwise', async () => {
    const { calls } = mockFetch((c) => ({ body: job({ id: pathOf(c).split('/')[4] }) }))
    await toggleAutoRequeue(running({ id: 'r1', auto_requeue: true, requeue_limit: 4 }), false)
    await toggleAutoRequeue(pending({ id: 'p1', auto_requeue: true, requeue_limit: 4 }), false)
    await toggleAutoRequeue(triggered({ id: 't1', requeue_limit: 2 }), true)
    expect(calls.map((c) => [c.method, pathOf(c), c.body])).toEqual([
      ['POST', '/api/v1/jobs/r1/disable-requeue', undefined],
      ['PUT', '/api/v1/jobs/p1/auto-requeue', { auto_requeue: false, requeue_limit: 4 }],
      ['PUT', '/api/v1/jobs/t1/auto-requeue', { auto_requeue: true, requeue_limit: 2 }],
    ])
  })

  it('labels count and limit', () => {
    expect(autoRequeueLabel(pending())).toBeNull()
    expect(autoRequeueLabel(pending({ auto_requeue: true }))).toBe('∞')
    expect(autoRequeueLabel(pending({ auto_requeue: true, requeue_count: 2 }))).toBe('2/∞')
    expect(autoRequeueLabel(pending({ auto_requeue: true, requeue_count: 1, requeue_limit: 5 }))).toBe('1/5')
  })
})

describe('job helpers', () => {
  it('recognises a job that runs its template unchanged', () => {
    expect(isPureTemplateJob(pending(), tpl)).toBe(true)
    expect(isPureTemplateJob(pending({ owner: tpl.owner }), tpl)).toBe(true)
    expect(isPureTemplateJob(pending({ owner: 'fork' }), tpl)).toBe(false)
    expect(isPureTemplateJob(pending({ inputs: { network: 'sepolia' } }), tpl)).toBe(false)
    expect(isPureTemplateJob(pending({ inputs: {} }), tpl)).toBe(false)
    expect(isPureTemplateJob(manual(), undefined)).toBe(false)
  })

  it('names jobs by override, template, then kind', () => {
    expect(jobTitle(pending({ name: 'Custom' }), tpl)).toBe('Custom')
    expect(jobTitle(pending(), tpl)).toBe('Sync geth')
    expect(jobTitle(pending({ template_id: 'tpl-x' }), undefined)).toBe('tpl-x')
    expect(jobTitle(manual(), undefined)).toBe('Manual Job')
  })

  it('orders the queue: in flight by start, then pending by position', () => {
    const q = sortQueue([
      pending({ id: 'p2', position: 2 }),
      running({ id: 'r2', triggered_at: '2026-01-10T12:05:00Z' }),
      pending({ id: 'p1', position: 1 }),
      dispatching({ id: 'd', triggered_at: null, created_at: '2026-01-10T12:06:00Z' }),
      running({ id: 'r1', triggered_at: '2026-01-10T12:01:00Z' }),
      completed({ id: 'done' }),
    ])
    expect(q.map((j) => j.id)).toEqual(['r1', 'r2', 'd', 'p1', 'p2'])
  })
})
