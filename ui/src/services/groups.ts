import { request } from '@/utils/api'

export interface Group {
  id: string
  name: string
  description: string
  runner_labels: string[]
  enabled: boolean
  paused: boolean
  created_at?: string
  updated_at?: string
}

export interface GroupWithStats extends Group {
  queued_jobs: number
  running_jobs: number
  idle_runners: number
  busy_runners: number
  total_runners: number
  template_count: number
}

export const fetchGroups = (signal?: AbortSignal) => request<GroupWithStats[]>('/groups', { signal })

export const fetchGroup = (id: string, signal?: AbortSignal) =>
  request<Group>(`/groups/${encodeURIComponent(id)}`, { signal })

export const pauseGroup = (id: string) =>
  request<Group>(`/groups/${encodeURIComponent(id)}/pause`, { method: 'POST' })

export const unpauseGroup = (id: string) =>
  request<Group>(`/groups/${encodeURIComponent(id)}/unpause`, { method: 'POST' })

/** A runner belongs to a group when its labels are a superset of the group's. */
export function runnerMatchesGroup(runnerLabels: readonly string[], groupLabels: readonly string[]): boolean {
  const have = new Set(runnerLabels)
  return groupLabels.every((l) => have.has(l))
}
