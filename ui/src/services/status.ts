import { request } from '@/utils/api'

export interface ClientStatus {
  status: string
  connected: boolean
  error?: string
  rate_limit_remaining: number
  rate_limit_reset?: string
  reset_in?: string
}

export interface SystemStatus {
  status: 'healthy' | 'degraded' | 'unhealthy' | (string & {})
  timestamp: string
  database?: { status: string; latency?: string; error?: string }
  github?: { runners?: ClientStatus; dispatch?: ClientStatus }
  queue?: { pending_jobs: number; triggered_jobs: number; running_jobs: number; dispatching_jobs?: number }
  version?: { version: string; git_commit: string; build_date: string }
}

export const fetchStatus = (signal?: AbortSignal) => request<SystemStatus>('/status', { signal })
