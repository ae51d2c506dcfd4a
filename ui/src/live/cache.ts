// Turns server messages into TanStack Query cache changes. Cheap, exact
// updates are done in place (a job moving in the queue, a group's counters, a
// runner's state); anything that depends on server-side filtering or paging
// (history, stats, templates) is invalidated and refetched by whoever shows it.

import type { QueryClient } from '@tanstack/react-query'
import type { Envelope } from './socket'
import { queryKeys } from '@/services/keys'
import { isQueued, isTerminal, sortQueue, type Job } from '@/services/jobs'
import { runnerMatchesGroup, type Group, type GroupWithStats } from '@/services/groups'
import { sortRunners, type Runner } from '@/services/runners'

export function applyLiveMessage(qc: QueryClient, msg: Envelope): void {
  switch (msg.type) {
    case 'job_state':
      applyJobState(qc, msg.payload as Job)
      return
    case 'job_removed':
      applyJobRemoved(qc, msg.payload as { id: string; group_id?: string }, msg.group_id)
      return
    case 'queue_reordered':
      applyReorder(qc, msg.payload as { group_id?: string; job_ids: string[] }, msg.group_id)
      return
    case 'group_state':
      applyGroupState(qc, msg.payload as GroupWithStats)
      return
    case 'runner_status':
      applyRunner(qc, msg.payload as Runner)
      return
    case 'runners_changed':
      applyRunnersChanged(qc, msg.payload as Runner[])
      return
    case 'templates_reloaded':
      void qc.invalidateQueries({ queryKey: ['templates'] })
      void qc.invalidateQueries({ queryKey: queryKeys.groups() })
      void qc.invalidateQueries({ queryKey: ['group'] })
      return
    case 'error':
      // The server lost track of what it sent us (it fell behind, or
      // refused a request): whatever the cache holds may be stale.
      catchUp(qc)
      return
    default:
      // hello, subscribed, unsubscribed, system_status: nothing cached.
      return
  }
}

/** After a reconnect every cached answer may be stale. */
export function catchUp(qc: QueryClient): void {
  void qc.invalidateQueries()
}

function applyJobState(qc: QueryClient, job: Job): void {
  if (!job || !job.id || !job.group_id) return
  qc.setQueryData<Job>(queryKeys.job(job.id), job)
  qc.setQueryData<Job[]>(queryKeys.queue(job.group_id), (old) => {
    if (!old) return old
    const rest = old.filter((j) => j.id !== job.id)
    return isQueued(job.status) ? sortQueue([...rest, job]) : rest
  })
  if (isTerminal(job.status)) {
    void qc.invalidateQueries({ queryKey: queryKeys.history(job.group_id) })
    void qc.invalidateQueries({ queryKey: queryKeys.historyStats(job.group_id) })
  }
  void qc.invalidateQueries({ queryKey: queryKeys.jobEvents(job.id) })
  void qc.invalidateQueries({ queryKey: queryKeys.audit() })
}

function applyJobRemoved(qc: QueryClient, payload: { id: string; group_id?: string }, envelopeGroup?: string): void {
  const groupId = payload?.group_id || envelopeGroup
  if (!payload?.id || !groupId) return
  qc.setQueryData<Job[]>(queryKeys.queue(groupId), (old) => old?.filter((j) => j.id !== payload.id))
  qc.removeQueries({ queryKey: queryKeys.job(payload.id), exact: true })
  // Failed jobs can be removed from history as well.
  void qc.invalidateQueries({ queryKey: queryKeys.history(groupId) })
}

function applyReorder(qc: QueryClient, payload: { group_id?: string; job_ids: string[] }, envelopeGroup?: string): void {
  const groupId = payload?.group_id || envelopeGroup
  if (!groupId || !Array.isArray(payload?.job_ids)) return
  qc.setQueryData<Job[]>(queryKeys.queue(groupId), (old) => (old ? reorderPending(old, payload.job_ids) : old))
}

/**
 * Puts pending jobs in the given order. Jobs named in the list get positions
 * 0..n-1 as the server writes them; pending jobs missing from the list keep
 * theirs and sort after.
 */
export function reorderPending(jobs: readonly Job[], order: readonly string[]): Job[] {
  const rank = new Map(order.map((id, i) => [id, i]))
  const next = jobs.map((j) => {
    const i = rank.get(j.id)
    return j.status === 'pending' && i !== undefined && j.position !== i ? { ...j, position: i } : j
  })
  const ranked = (j: Job) => (rank.has(j.id) ? rank.get(j.id)! : order.length + j.position)
  const active = sortQueue(next.filter((j) => j.status !== 'pending'))
  const pending = next.filter((j) => j.status === 'pending').sort((a, b) => ranked(a) - ranked(b))
  return [...active, ...pending]
}

function applyGroupState(qc: QueryClient, group: GroupWithStats): void {
  if (!group?.id) return
  // Pausing or resuming a group changes the pending reason of every queued
  // job, and no job_state message says so: refetch that queue.
  const before =
    qc.getQueryData<Group>(queryKeys.group(group.id)) ??
    qc.getQueryData<GroupWithStats[]>(queryKeys.groups())?.find((g) => g.id === group.id)
  if (before && before.paused !== group.paused) {
    void qc.invalidateQueries({ queryKey: queryKeys.queue(group.id) })
  }
  let known = false
  qc.setQueryData<GroupWithStats[]>(queryKeys.groups(), (old) => {
    if (!old) return old
    known = old.some((g) => g.id === group.id)
    return known ? old.map((g) => (g.id === group.id ? { ...g, ...group } : g)) : old
  })
  if (!known) void qc.invalidateQueries({ queryKey: queryKeys.groups() })
  qc.setQueryData<Group>(queryKeys.group(group.id), (old) => (old ? { ...old, ...group } : old))
}

function groupLabels(qc: QueryClient, groupId: string): string[] | undefined {
  const single = qc.getQueryData<Group>(queryKeys.group(groupId))
  if (single) return single.runner_labels
  return qc.getQueryData<GroupWithStats[]>(queryKeys.groups())?.find((g) => g.id === groupId)?.runner_labels
}

function applyRunner(qc: QueryClient, runner: Runner): void {
  if (!runner || typeof runner.id !== 'number') return
  const upsert = (old: Runner[] | undefined) =>
    old ? sortRunners([...old.filter((r) => r.id !== runner.id), runner]) : old
  qc.setQueryData<Runner[]>(queryKeys.runners(), upsert)
  for (const [key, list] of qc.getQueriesData<Runner[]>({ queryKey: ['groupRunners'] })) {
    if (!list) continue
    const labels = groupLabels(qc, String(key[1]))
    const present = list.some((r) => r.id === runner.id)
    if (labels === undefined) {
      if (present) qc.setQueryData<Runner[]>(key, upsert)
      continue
    }
    const matches = runnerMatchesGroup(runner.labels ?? [], labels)
    if (matches) qc.setQueryData<Runner[]>(key, upsert)
    else if (present) qc.setQueryData<Runner[]>(key, list.filter((r) => r.id !== runner.id))
  }
}

function applyRunnersChanged(qc: QueryClient, runners: Runner[]): void {
  if (!Array.isArray(runners)) return
  qc.setQueryData<Runner[]>(queryKeys.runners(), sortRunners(runners))
  for (const [key] of qc.getQueriesData<Runner[]>({ queryKey: ['groupRunners'] })) {
    const labels = groupLabels(qc, String(key[1]))
    if (labels === undefined) {
      void qc.invalidateQueries({ queryKey: key, exact: true })
      continue
    }
    qc.setQueryData<Runner[]>(
      key,
      sortRunners(runners.filter((r) => runnerMatchesGroup(r.labels ?? [], labels))),
    )
  }
}
