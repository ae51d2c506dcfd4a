import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { useParams, useSearchParams } from 'react-router'
import { AddFromTemplateDialog } from '@/components/AddFromTemplateDialog'
import { LabelChip, Badge } from '@/components/Badge'
import { Button } from '@/components/Button'
import { HistorySection } from '@/components/HistorySection'
import { Icon } from '@/components/Icon'
import { ManualJobDialog } from '@/components/ManualJobDialog'
import { Popover } from '@/components/Popover'
import { RunnersPanel } from '@/components/RunnersPanel'
import { ErrorBlock, LoadingBlock } from '@/components/Spinner'
import { useGroupSubscription } from '@/live/LiveProvider'
import { isAdmin as userIsAdmin } from '@/services/auth'
import { fetchGroup, pauseGroup, unpauseGroup, type Group, type GroupWithStats } from '@/services/groups'
import { fetchHistoryStats, historyQueryOptions, type StatsRange } from '@/services/history'
import { addJob, fetchQueue, isQueued, type AddJobRequest, type Job } from '@/services/jobs'
import { queryKeys } from '@/services/keys'
import { fetchGroupRunners } from '@/services/runners'
import { fetchTemplates } from '@/services/templates'
import { useAuth } from '@/stores/auth'
import { errorText, isApiError } from '@/utils/api'
import { cn } from '@/utils/cn'
import { HistoryTab } from './HistoryTab'
import { JobDetail } from './JobDetail'
import { QueueTab } from './QueueTab'
import { TemplatesTab } from './TemplatesTab'
import { applyJob, useJobActions } from './useJobActions'
import { groupUrlParams, parseGroupUrl, type GroupTab, type GroupUrlState } from './urlState'

type AddDialog = { kind: 'template'; templateId: string | null } | { kind: 'manual' } | null

export function GroupPage() {
  const { id = '' } = useParams()
  const qc = useQueryClient()
  const admin = userIsAdmin(useAuth((s) => s.user))
  const actions = useJobActions()
  const [params, setParams] = useSearchParams()
  const url = useMemo(() => parseGroupUrl(params), [params])
  const update = (patch: Partial<GroupUrlState>) => setParams(groupUrlParams({ ...url, ...patch }), { replace: true })

  useGroupSubscription(id)

  const group = useQuery({ queryKey: queryKeys.group(id), queryFn: ({ signal }) => fetchGroup(id, signal) })
  const templates = useQuery({ queryKey: queryKeys.templates(id), queryFn: ({ signal }) => fetchTemplates(id, signal) })
  const queue = useQuery({ queryKey: queryKeys.queue(id), queryFn: ({ signal }) => fetchQueue(id, signal) })
  const runners = useQuery({ queryKey: queryKeys.groupRunners(id), queryFn: ({ signal }) => fetchGroupRunners(id, signal) })
  const history = useInfiniteQuery(historyQueryOptions(id, url.history))
  const [range, setRange] = useState<StatsRange>('auto')
  const [chartMode, setChartMode] = useState<'bar' | 'line'>('bar')
  const stats = useQuery({
    queryKey: queryKeys.historyStats(id, range),
    queryFn: ({ signal }) => fetchHistoryStats(id, range, signal),
    // Stats windows end at "now", so they move even when nothing happens.
    refetchInterval: 60_000,
  })

  const [detail, setDetail] = useState<Job | null>(null)
  const [add, setAdd] = useState<AddDialog>(null)
  const [pauseError, setPauseError] = useState<string | null>(null)

  const templateList = useMemo(() => templates.data ?? [], [templates.data])
  const templatesById = useMemo(() => new Map(templateList.map((t) => [t.id, t])), [templateList])
  const jobs = useMemo(() => queue.data ?? [], [queue.data])
  const autoRequeueTemplates = useMemo(
    () => new Set(jobs.filter((j) => j.auto_requeue && j.template_id && isQueued(j.status)).map((j) => j.template_id)),
    [jobs],
  )

  if (group.isPending) return <LoadingBlock />
  if (group.isError) {
    return <ErrorBlock error={group.error} title={isApiError(group.error, 404) ? 'Group not found' : 'Could not load the group'} />
  }
  const g = group.data

  const togglePause = async () => {
    setPauseError(null)
    try {
      const next = g.paused ? await unpauseGroup(g.id) : await pauseGroup(g.id)
      qc.setQueryData<Group>(queryKeys.group(g.id), (old) => ({ ...old, ...next }))
      qc.setQueryData<GroupWithStats[]>(queryKeys.groups(), (old) => old?.map((x) => (x.id === g.id ? { ...x, paused: next.paused } : x)))
    } catch (err) {
      setPauseError(errorText(err))
    }
  }
  const submitJob = async (body: AddJobRequest) => applyJob(qc, await addJob(id, body))

  const tabs: [GroupTab, string][] = [
    ['queue', `Queue (${jobs.length})`],
    ['history', `History (${history.data?.pages[0]?.total_count ?? 0})`],
    ['templates', `Templates (${templateList.length})`],
  ]

  return (
    <div className="mx-auto max-w-[96rem] space-y-5">
      <header className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <div className="min-w-0 flex-1 space-y-1.5">
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold">
            {g.name || g.id}
            {g.paused && (
              <Badge tone="amber" data-testid="group-paused">
                Paused
              </Badge>
            )}
          </h1>
          {g.description && <p className="text-sm text-zinc-500">{g.description}</p>}
          <div className="flex flex-wrap gap-1">
            {g.runner_labels.map((l) => (
              <LabelChip key={l}>{l}</LabelChip>
            ))}
          </div>
        </div>
        {admin && (
          <div className="flex shrink-0 flex-wrap items-center gap-2">
            <Button variant={g.paused ? 'primary' : 'secondary'} onClick={() => void togglePause()} data-testid="pause-group" data-paused={g.paused}>
              <Icon name={g.paused ? 'play' : 'pause'} /> {g.paused ? 'Resume Queue' : 'Pause Queue'}
            </Button>
            <Popover
              trigger={(p) => (
                <Button variant="primary" {...p} data-testid="add-job">
                  <Icon name="plus" /> Add Job <Icon name="chevronDown" className="h-3 w-3" />
                </Button>
              )}
            >
              {(close) => (
                <div className="flex flex-col">
                  <MenuItem onClick={() => (close(), setAdd({ kind: 'template', templateId: null }))} testId="add-job-template">
                    From Template
                  </MenuItem>
                  <MenuItem onClick={() => (close(), setAdd({ kind: 'manual' }))} testId="add-job-manual">
                    Manual Job
                  </MenuItem>
                </div>
              )}
            </Popover>
          </div>
        )}
      </header>
      {pauseError && (
        <p role="alert" className="text-sm text-red-600 dark:text-red-400">
          {pauseError}
        </p>
      )}

      <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_17rem]">
        <div className="min-w-0 space-y-5">
          <HistorySection stats={stats.data} loading={stats.isFetching} range={range} onRangeChange={setRange} mode={chartMode} onModeChange={setChartMode} />
          <div role="tablist" aria-label="Group sections" className="flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
            {tabs.map(([key, label]) => (
              <button
                key={key}
                role="tab"
                type="button"
                aria-selected={url.tab === key}
                onClick={() => update({ tab: key })}
                data-testid={`tab-${key}`}
                className={cn(
                  '-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none',
                  url.tab === key
                    ? 'border-zinc-900 text-zinc-900 dark:border-zinc-100 dark:text-zinc-100'
                    : 'border-transparent text-zinc-500 hover:text-zinc-800 dark:hover:text-zinc-200',
                )}
              >
                {label}
              </button>
            ))}
          </div>
          <div role="tabpanel">
            {url.tab === 'queue' &&
              (queue.isPending ? (
                <LoadingBlock />
              ) : queue.isError ? (
                <ErrorBlock error={queue.error} title="Could not load the queue" />
              ) : (
                <QueueTab groupId={id} jobs={jobs} templates={templatesById} isAdmin={admin} actions={actions} onOpenDetails={setDetail} />
              ))}
            {url.tab === 'history' && (
              <HistoryTab
                history={history}
                templates={templateList}
                templatesById={templatesById}
                filters={url.history}
                onFiltersChange={(f) => update({ history: f })}
                view={url.view}
                onViewChange={(v) => update({ view: v })}
                isAdmin={admin}
                actions={actions}
                onOpenDetails={setDetail}
              />
            )}
            {url.tab === 'templates' && (
              <TemplatesTab
                groupId={id}
                templates={templateList}
                autoRequeueTemplates={autoRequeueTemplates}
                isAdmin={admin}
                status={url.templateStatus}
                labels={url.templateLabels}
                onFilterChange={(s, l) => update({ templateStatus: s, templateLabels: l })}
                onAdd={(t) => setAdd({ kind: 'template', templateId: t.id })}
              />
            )}
          </div>
        </div>
        <aside>
          {runners.isError ? (
            <ErrorBlock error={runners.error} title="Could not load runners" />
          ) : (
            <RunnersPanel runners={runners.data ?? []} jobs={jobs} templates={templatesById} />
          )}
        </aside>
      </div>

      {detail && <JobDetail job={detail} templates={templatesById} isAdmin={admin} onClose={() => setDetail(null)} />}
      {add?.kind === 'template' && (
        <AddFromTemplateDialog
          templates={templateList}
          initialTemplateId={add.templateId}
          autoRequeueTemplates={autoRequeueTemplates}
          onSubmit={submitJob}
          onClose={() => setAdd(null)}
        />
      )}
      {add?.kind === 'manual' && <ManualJobDialog templates={templateList} onSubmit={submitJob} onClose={() => setAdd(null)} />}
    </div>
  )
}

function MenuItem({ onClick, children, testId }: { onClick: () => void; children: React.ReactNode; testId: string }) {
  return (
    <button
      type="button"
      onClick={onClick}
      data-testid={testId}
      className="rounded-md px-3 py-2 text-left hover:bg-zinc-100 focus-visible:bg-zinc-100 focus-visible:outline-none dark:hover:bg-zinc-800 dark:focus-visible:bg-zinc-800"
    >
      {children}
    </button>
  )
}
