import { useQueryClient, type QueryClient } from '@tanstack/react-query'
import { useMemo } from 'react'
import type { JobActions } from '@/components/JobCard'
import { applyLiveMessage } from '@/live/cache'
import {
  cancelJob,
  deleteJob,
  pauseJob,
  toggleAutoRequeue,
  unpauseJob,
  type Job,
} from '@/services/jobs'

/**
 * Folds a job returned by a mutation into the cache exactly as if the socket
 * had delivered it, so the page does not wait for the echo.
 */
export function applyJob(qc: QueryClient, job: Job | undefined): void {
  if (job && job.id) applyLiveMessage(qc, { type: 'job_state', group_id: job.group_id, payload: job })
}

export function applyRemoved(qc: QueryClient, job: Pick<Job, 'id' | 'group_id'>): void {
  applyLiveMessage(qc, { type: 'job_removed', group_id: job.group_id, payload: { id: job.id, group_id: job.group_id } })
}

export function createJobActions(qc: QueryClient): JobActions {
  return {
    cancel: async (job) => applyJob(qc, await cancelJob(job.id)),
    setAutoRequeue: async (job, enabled) => applyJob(qc, await toggleAutoRequeue(job, enabled)),
    pause: async (job) => applyJob(qc, await pauseJob(job.id)),
    resume: async (job) => applyJob(qc, await unpauseJob(job.id)),
    remove: async (job) => {
      await deleteJob(job.id)
      applyRemoved(qc, job)
    },
  }
}

export function useJobActions(): JobActions {
  const qc = useQueryClient()
  return useMemo(() => createJobActions(qc), [qc])
}
