// @vitest-environment node
import { QueryClient } from '@tanstack/react-query'
import { describe, expect, it } from 'vitest'
import { queryKeys } from '@/services/keys'
import type { Group, GroupWithStats } from '@/services/groups'
import type { Job } from '@/services/jobs'
import type { Runner } from '@/services/runners'
import { group } from '@/test/factories/group'
import { completed, pending, running } from '@/test/factories/job'
import { runner } from '@/test/factories/runner'
import { applyLiveMessage, catchUp, reorderPending } from './cache'

const client = () => new QueryClient({ defaultOptions: { queries: { retry: false, gcTime: Infinity } } })
const queue = (qc: QueryClient, g = 'g1') => qc.getQueryData<Job[]>(queryKeys.queue(g))
const ids = (jobs: Job[] | undefined) => jobs?.map((j) => j.id)

/** Seeds a query as fetched so that invalidation marks it stale. */
function seed<T>(qc: QueryClient, key: readonly unknown[], data: T) {
  qc.setQueryData(key, data)
}

describe('applyLiveMessage', () => {
  it('job_state inserts a new pending job in position order', () => {
    const qc = client()
    const a = pending({ id: 'a', position: 1 })
    const c = pending({ id: 'c', position: 3 })
    seed(qc, queryKeys.queue('g1'), [a, c])
    applyLiveMessage(qc, { type: 'job_state', group_id: 'g1', payload: pending({ id: 'b', position: 2 }) })
    expect(ids(queue(qc))).toEqual(['a', 'b', 'c'])
    expect(qc.getQueryData<Job>(queryKeys.job('b'))?.id).toBe('b')
  })

  it('job_state moves a dispatched job to the in-flight part and replaces it in place', () => {
    const qc = client()
    seed(qc, queryKeys.queue('g1'), [pending({ id: 'a', position: 1 }), pending({ id: 'b', position: 2 })])
    applyLiveMessage(qc, { type: 'job_state', group_id: 'g1', payload: running({ id: 'b' }) })
    const q = queue(qc)!
    expect(ids(q)).toEqual(['b', 'a'])
    expect(q[0].status).toBe('running')
    expect(q[0].runner_name).toBe('runner-7')
  })

  it('job_state removes a finished job from the queue and marks history and stats stale', () => {
    const qc = client()
    seed(qc, queryKeys.queue('g1'), [running({ id: 'a' })])
    seed(qc, queryKeys.history('g1', { status: [], labels: {} }), { pages: [], pageParams: [] })
    seed(qc, queryKeys.historyStats('g1', 'auto'), { buckets: [] })
    seed(qc, queryKeys.history('g2', { status: [], labels: {} }), { pages: [], pageParams: [] })
    applyLiveMessage(qc, { type: 'job_state', group_id: 'g1', payload: completed({ id: 'a' }) })
    expect(queue(qc)).toEqual([])
    expect(qc.getQueryState(queryKeys.history('g1', { status: [], labels: {} }))?.isInvalidated).toBe(true)
    expect(qc.getQueryState(queryKeys.historyStats('g1', 'auto'))?.isInvalidated).toBe(true)
    expect(qc.getQueryState(queryKeys.history('g2', { status: [], labels: {} }))?.isInvalidated).toBe(false)
  })

  it('job_state leaves queues that were never loaded alone', () => {
    const qc = client()
    applyLiveMessage(qc, { type: 'job_state', group_id: 'g9', payload: pending({ id: 'x', group_id: 'g9' }) })
    expect(queue(qc, 'g9')).toBeUndefined()
  })

  it('job_removed drops the job', () => {
    const qc = client()
    seed(qc, queryKeys.queue('g1'), [pending({ id: 'a' }), pending({ id: 'b' })])
    applyLiveMessage(qc, { type: 'job_removed', group_id: 'g1', payload: { id: 'a', group_id: 'g1' } })
    expect(ids(queue(qc))).toEqual(['b'])
  })

  it('queue_reordered applies the new pending order and keeps in-flight jobs first', () => {
    const qc = client()
    seed(qc, queryKeys.queue('g1'), [
      running({ id: 'r' }),
      pending({ id: 'a', position: 0 }),
      pending({ id: 'b', position: 1 }),
      pending({ id: 'c', position: 2 }),
    ])
    applyLiveMessage(qc, { type: 'queue_reordered', group_id: 'g1', payload: { group_id: 'g1', job_ids: ['c', 'a', 'b'] } })
    const q = queue(qc)!
    expect(ids(q)).toEqual(['r', 'c', 'a', 'b'])
    expect(q.slice(1).map((j) => j.position)).toEqual([0, 1, 2])
  })

  it('group_state updates counters and the pause flag in place', () => {
    const qc = client()
    seed(qc, queryKeys.groups(), [group({ id: 'g1' }), group({ id: 'g2', name: 'Other' })])
    seed<Group>(qc, queryKeys.group('g1'), group({ id: 'g1' }))
    applyLiveMessage(qc, { type: 'group_state', group_id: 'g1', payload: group({ id: 'g1', paused: true, queued_jobs: 4 }) })
    const list = qc.getQueryData<GroupWithStats[]>(queryKeys.groups())!
    expect(list[0]).toMatchObject({ paused: true, queued_jobs: 4 })
    expect(list[1].name).toBe('Other')
    expect(qc.getQueryData<Group>(queryKeys.group('g1'))?.paused).toBe(true)
  })

  it('group_state refetches the queue only when the pause flag changed', () => {
    const qc = client()
    seed<Group>(qc, queryKeys.group('g1'), group({ id: 'g1' }))
    seed(qc, queryKeys.queue('g1'), [pending({ id: 'a', position: 0 })])
    applyLiveMessage(qc, { type: 'group_state', group_id: 'g1', payload: group({ id: 'g1', queued_jobs: 2 }) })
    expect(qc.getQueryState(queryKeys.queue('g1'))?.isInvalidated).toBe(false)
    applyLiveMessage(qc, { type: 'group_state', group_id: 'g1', payload: group({ id: 'g1', paused: true }) })
    expect(qc.getQueryState(queryKeys.queue('g1'))?.isInvalidated).toBe(true)
  })

  it('group_state for an unknown group refetches the list', () => {
    const qc = client()
    seed(qc, queryKeys.groups(), [group({ id: 'g1' })])
    applyLiveMessage(qc, { type: 'group_state', group_id: 'new', payload: group({ id: 'new' }) })
    expect(qc.getQueryState(queryKeys.groups())?.isInvalidated).toBe(true)
  })

  it('runner_status updates the global list and the lists of groups whose labels match', () => {
    const qc = client()
    seed(qc, queryKeys.groups(), [group({ id: 'g1', runner_labels: ['sync-test'] }), group({ id: 'g2', runner_labels: ['gpu'] })])
    seed(qc, queryKeys.runners(), [runner({ id: 1 })])
    seed(qc, queryKeys.groupRunners('g1'), [runner({ id: 1 })])
    seed(qc, queryKeys.groupRunners('g2'), [])
    applyLiveMessage(qc, { type: 'runner_status', payload: runner({ id: 1, busy: true }) })
    applyLiveMessage(qc, { type: 'runner_status', payload: runner({ id: 2, name: 'gpu-1', labels: ['self-hosted', 'gpu'] }) })
    expect(qc.getQueryData<Runner[]>(queryKeys.runners())?.map((r) => [r.id, r.busy])).toEqual([
      [2, false],
      [1, true],
    ])
    expect(qc.getQueryData<Runner[]>(queryKeys.groupRunners('g1'))?.map((r) => r.id)).toEqual([1])
    expect(qc.getQueryData<Runner[]>(queryKeys.groupRunners('g2'))?.map((r) => r.id)).toEqual([2])
  })

  it('runners_changed replaces the lists', () => {
    const qc = client()
    seed(qc, queryKeys.groups(), [group({ id: 'g1', runner_labels: ['sync-test'] })])
    seed(qc, queryKeys.runners(), [runner({ id: 1 })])
    seed(qc, queryKeys.groupRunners('g1'), [runner({ id: 1 })])
    applyLiveMessage(qc, { type: 'runners_changed', payload: [runner({ id: 3, name: 'a' }), runner({ id: 4, name: 'b', labels: ['other'] })] })
    expect(qc.getQueryData<Runner[]>(queryKeys.runners())?.map((r) => r.id)).toEqual([3, 4])
    expect(qc.getQueryData<Runner[]>(queryKeys.groupRunners('g1'))?.map((r) => r.id)).toEqual([3])
  })

  it('templates_reloaded marks templates and groups stale', () => {
    const qc = client()
    seed(qc, queryKeys.templates('g1'), [])
    seed(qc, queryKeys.groups(), [])
    applyLiveMessage(qc, { type: 'templates_reloaded', payload: { groups: [{ group_id: 'g1', templates: 2 }] } })
    expect(qc.getQueryState(queryKeys.templates('g1'))?.isInvalidated).toBe(true)
    expect(qc.getQueryState(queryKeys.groups())?.isInvalidated).toBe(true)
  })

  it('an error frame marks everything stale', () => {
    const qc = client()
    seed(qc, queryKeys.queue('g1'), [])
    applyLiveMessage(qc, { type: 'error', payload: { error: 'live updates interrupted' } })
    expect(qc.getQueryState(queryKeys.queue('g1'))?.isInvalidated).toBe(true)
  })

  it('catchUp marks everything stale', () => {
    const qc = client()
    seed(qc, queryKeys.queue('g1'), [])
    seed(qc, queryKeys.runners(), [])
    catchUp(qc)
    expect(qc.getQueryState(queryKeys.queue('g1'))?.isInvalidated).toBe(true)
    expect(qc.getQueryState(queryKeys.runners())?.isInvalidated).toBe(true)
  })
})

describe('reorderPending', () => {
  it('keeps unlisted pending jobs after the listed ones', () => {
    const jobs = [pending({ id: 'a', position: 0 }), pending({ id: 'b', position: 1 }), pending({ id: 'z', position: 9 })]
    expect(ids(reorderPending(jobs, ['b', 'a']))).toEqual(['b', 'a', 'z'])
  })
})
