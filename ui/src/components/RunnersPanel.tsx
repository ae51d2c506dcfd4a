import { runnerState, type Runner, type RunnerState } from '@/services/runners'
import { isActive, jobTitle, type Job } from '@/services/jobs'
import type { JobTemplate } from '@/services/templates'
import { cn } from '@/utils/cn'

interface Props {
  runners: Runner[]
  /** The group's queue, used to name the job a busy runner is working on. */
  jobs: Job[]
  templates: Map<string, JobTemplate>
}

export const runnerDot: Record<RunnerState, string> = {
  idle: 'bg-green-500',
  busy: 'bg-amber-500 animate-pulse',
  offline: 'bg-zinc-400',
}

const SECTIONS: [RunnerState, string][] = [
  ['idle', 'Idle'],
  ['busy', 'Busy'],
  ['offline', 'Offline'],
]

export function RunnersPanel({ runners, jobs, templates }: Props) {
  const byRunner = new Map<number, Job>()
  for (const j of jobs) if (isActive(j.status) && j.runner_id) byRunner.set(j.runner_id, j)

  return (
    <section aria-labelledby="runners-heading" className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900" data-testid="runners-panel">
      <h2 id="runners-heading" className="mb-2 text-sm font-semibold">
        Runners ({runners.length})
      </h2>
      {runners.length === 0 && <p className="text-xs text-zinc-500">No runners match this group's labels.</p>}
      {SECTIONS.map(([state, title]) => {
        const list = runners.filter((r) => runnerState(r) === state)
        if (list.length === 0) return null
        return (
          <div key={state} className="mt-3">
            <h3 className="mb-1 text-xs font-medium text-zinc-500">
              {title} ({list.length})
            </h3>
            <ul className="space-y-1">
              {list.map((r) => {
                const job = state === 'busy' ? byRunner.get(r.id) : undefined
                return (
                  <li key={r.id} className="rounded-md px-2 py-1 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/50" data-testid="runner-item" data-state={state}>
                    <div className="flex items-center gap-2">
                      <span className={cn('h-2 w-2 shrink-0 rounded-full', runnerDot[state])} aria-hidden />
                      <span className="truncate font-mono text-xs">{r.name}</span>
                    </div>
                    {state === 'busy' && (
                      <p className="ml-4 truncate text-xs text-zinc-500">
                        {job ? (
                          job.run_url ? (
                            <a href={job.run_url} target="_blank" rel="noreferrer" className="hover:underline">
                              {jobTitle(job, templates.get(job.template_id))}
                            </a>
                          ) : (
                            jobTitle(job, templates.get(job.template_id))
                          )
                        ) : (
                          'external job'
                        )}
                      </p>
                    )}
                  </li>
                )
              })}
            </ul>
          </div>
        )
      })}
    </section>
  )
}
