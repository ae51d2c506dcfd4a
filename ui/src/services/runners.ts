import { request } from '@/utils/api'

export interface Runner {
  id: number
  name: string
  os: string
  labels: string[]
  status: 'online' | 'offline' | (string & {})
  busy: boolean
  last_seen_at?: string
  created_at?: string
  updated_at?: string
}

export type RunnerState = 'idle' | 'busy' | 'offline'

/** Busy wins over offline (a runner GitHub reports busy is busy), as in the reference. */
export function runnerState(r: Pick<Runner, 'status' | 'busy'>): RunnerState {
  if (r.busy) return 'busy'
  if (r.status === 'online') return 'idle'
  return 'offline'
}

export const fetchRunners = (signal?: AbortSignal) => request<Runner[]>('/runners', { signal })

export const fetchGroupRunners = (groupId: string, signal?: AbortSignal) =>
  request<Runner[]>(`/groups/${encodeURIComponent(groupId)}/runners`, { signal })

export const sortRunners = (runners: readonly Runner[]): Runner[] =>
  [...runners].sort((a, b) => a.name.localeCompare(b.name))
