import { useQuery, useQueryClient } from '@tanstack/react-query'
import { JobDetailDialog } from '@/components/JobDetailDialog'
import { queryKeys } from '@/services/keys'
import { fetchJob, fetchJobEvents, updateJob, type Job } from '@/services/jobs'
import type { JobTemplate } from '@/services/templates'
import { isApiError } from '@/utils/api'
import { applyJob } from './useJobActions'

interface Props {
  job: Job
  templates: Map<string, JobTemplate>
  isAdmin: boolean
  onClose: () => void
}

/** Loads the live job and its timeline for the detail dialog. */
export function JobDetail({ job: initial, templates, isAdmin, onClose }: Props) {
  const qc = useQueryClient()
  const job = useQuery({
    queryKey: queryKeys.job(initial.id),
    queryFn: ({ signal }) => fetchJob(initial.id, signal),
    initialData: initial,
    staleTime: Infinity,
  })
  // The timeline is an addition of this server; an older one answers 404 and
  // the section simply stays hidden.
  const events = useQuery({
    queryKey: queryKeys.jobEvents(initial.id),
    queryFn: ({ signal }) => fetchJobEvents(initial.id, signal),
    retry: false,
  })
  const current = job.data ?? initial
  const hidden = events.isError && isApiError(events.error, 404)

  return (
    <JobDetailDialog
      job={current}
      template={templates.get(current.template_id)}
      isAdmin={isAdmin}
      events={hidden || events.isError ? undefined : events.data}
      eventsLoading={events.isPending}
      onSave={async (body) => applyJob(qc, await updateJob(current.id, body))}
      onClose={onClose}
    />
  )
}
