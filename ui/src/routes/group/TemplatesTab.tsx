import { useQueryClient } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { BulkAction, BulkBar, type BulkActionSpec } from '@/components/BulkAction'
import { Button } from '@/components/Button'
import { Icon } from '@/components/Icon'
import { EmptyState } from '@/components/Spinner'
import { TemplateCard } from '@/components/TemplateCard'
import { addJob } from '@/services/jobs'
import { queryKeys } from '@/services/keys'
import { reloadTemplates, templateTitle, type JobTemplate } from '@/services/templates'
import { errorText } from '@/utils/api'
import { cn } from '@/utils/cn'
import { applyJob } from './useJobActions'

export type TemplateStatusFilter = '' | 'unlabeled' | 'auto-requeue' | 'no-auto-requeue'

interface Props {
  groupId: string
  templates: JobTemplate[]
  /** Templates that already have a queued job with auto-requeue on. */
  autoRequeueTemplates: Set<string>
  isAdmin: boolean
  status: TemplateStatusFilter
  labels: Record<string, string>
  onFilterChange: (status: TemplateStatusFilter, labels: Record<string, string>) => void
  onAdd: (t: JobTemplate) => void
}

export function filterTemplates(
  templates: readonly JobTemplate[],
  status: TemplateStatusFilter,
  labels: Record<string, string>,
  autoRequeue: Set<string>,
): JobTemplate[] {
  return templates.filter((t) => {
    const tl = t.labels ?? {}
    if (status === 'unlabeled' && Object.keys(tl).length > 0) return false
    if (status === 'auto-requeue' && !autoRequeue.has(t.id)) return false
    if (status === 'no-auto-requeue' && autoRequeue.has(t.id)) return false
    return Object.entries(labels).every(([k, v]) => tl[k] === v)
  })
}

export function TemplatesTab(props: Props) {
  const { groupId, templates, autoRequeueTemplates, isAdmin, status, labels, onFilterChange, onAdd } = props
  const qc = useQueryClient()
  const [reloading, setReloading] = useState(false)
  const [reloadMessage, setReloadMessage] = useState<{ ok: boolean; text: string } | null>(null)
  const [selecting, setSelecting] = useState(false)
  const [selected, setSelected] = useState<Set<string>>(new Set())
  const [includeExisting, setIncludeExisting] = useState(false)
  const [bulk, setBulk] = useState<BulkActionSpec<JobTemplate> | null>(null)

  const visible = useMemo(
    () => filterTemplates(templates, status, labels, autoRequeueTemplates),
    [templates, status, labels, autoRequeueTemplates],
  )
  const labelOptions = useMemo(() => {
    const m = new Map<string, Set<string>>()
    for (const t of templates) for (const [k, v] of Object.entries(t.labels ?? {})) m.set(k, (m.get(k) ?? new Set()).add(v))
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, vs]) => [k, [...vs].sort()] as const)
  }, [templates])
  const unlabeled = templates.filter((t) => Object.keys(t.labels ?? {}).length === 0).length
  const withRequeue = templates.filter((t) => autoRequeueTemplates.has(t.id)).length

  const reload = async () => {
    setReloading(true)
    setReloadMessage(null)
    try {
      const res = await reloadTemplates()
      const mine = res.groups?.find((g) => g.group_id === groupId)
      setReloadMessage({ ok: true, text: `${res.message}${mine ? ` (${mine.templates} templates in this group)` : ''}` })
      void qc.invalidateQueries({ queryKey: ['templates'] })
      void qc.invalidateQueries({ queryKey: queryKeys.groups() })
    } catch (err) {
      setReloadMessage({ ok: false, text: errorText(err) })
    } finally {
      setReloading(false)
    }
  }

  const selectedTemplates = visible.filter((t) => selected.has(t.id) && t.in_config)
  const eligible = selectedTemplates.filter((t) => includeExisting || !autoRequeueTemplates.has(t.id))
  const skipped = selectedTemplates.length - eligible.length

  const planAdd = (autoRequeue: boolean) =>
    setBulk({
      label: autoRequeue ? 'Add with auto-requeue' : 'Add',
      title: autoRequeue ? 'Add jobs with auto-requeue?' : 'Add jobs to the queue?',
      description: (
        <p>
          Add {eligible.length} job{eligible.length === 1 ? '' : 's'} with the templates' default inputs
          {autoRequeue ? ', requeued after every run without a limit' : ''}.
          {skipped > 0 && ` ${skipped} template${skipped === 1 ? '' : 's'} with an existing auto-requeue job will be skipped.`}
        </p>
      ),
      items: eligible,
      describe: templateTitle,
      call: async (t: JobTemplate) =>
        applyJob(
          qc,
          await addJob(groupId, {
            template_id: t.id,
            inputs: { ...(t.default_inputs ?? {}) },
            auto_requeue: autoRequeue,
            requeue_limit: null,
          }),
        ),
    })

  const setLabel = (k: string, v: string) => {
    const next = { ...labels }
    if (next[k] === v) delete next[k]
    else next[k] = v
    onFilterChange(status, next)
  }
  const chip = (active: boolean) =>
    cn(
      'rounded border px-1.5 py-0.5 text-[11px] focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none',
      active
        ? 'border-sky-600 bg-sky-600 text-white'
        : 'border-zinc-300 text-zinc-600 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-400 dark:hover:bg-zinc-800',
    )

  return (
    <div className="space-y-4" data-testid="templates-tab">
      <div className="flex flex-wrap items-center gap-2">
        <p className="text-sm text-zinc-500">Job templates from the server configuration. Jobs added from a template use its workflow and default inputs.</p>
        {isAdmin && (
          <div className="ml-auto flex gap-2">
            <Button size="sm" onClick={() => (selecting ? (setSelecting(false), setSelected(new Set())) : setSelecting(true))} data-testid="templates-select">
              {selecting ? 'Done' : 'Select'}
            </Button>
            <Button size="sm" onClick={() => void reload()} disabled={reloading} data-testid="reload-templates">
              <Icon name="refresh" /> {reloading ? 'Reloading…' : 'Reload Templates'}
            </Button>
          </div>
        )}
      </div>
      {reloadMessage && (
        <p role="status" className={cn('text-sm', reloadMessage.ok ? 'text-green-700 dark:text-green-400' : 'text-red-600 dark:text-red-400')}>
          {reloadMessage.text}
        </p>
      )}
      <div className="space-y-1.5 rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
        <div className="flex flex-wrap items-center gap-1.5">
          <button type="button" aria-pressed={status === 'unlabeled'} className={chip(status === 'unlabeled')} onClick={() => onFilterChange(status === 'unlabeled' ? '' : 'unlabeled', labels)}>
            unlabeled ({unlabeled})
          </button>
          {withRequeue > 0 && (
            <>
              <button type="button" aria-pressed={status === 'auto-requeue'} className={chip(status === 'auto-requeue')} onClick={() => onFilterChange(status === 'auto-requeue' ? '' : 'auto-requeue', labels)}>
                auto-requeue ({withRequeue})
              </button>
              <button type="button" aria-pressed={status === 'no-auto-requeue'} className={chip(status === 'no-auto-requeue')} onClick={() => onFilterChange(status === 'no-auto-requeue' ? '' : 'no-auto-requeue', labels)}>
                no auto-requeue ({templates.length - withRequeue})
              </button>
            </>
          )}
          <span className="ml-auto text-xs text-zinc-500" data-testid="templates-count">
            Showing {visible.length} of {templates.length} templates
          </span>
        </div>
        {labelOptions.map(([k, values]) => (
          <div key={k} className="flex flex-wrap items-center gap-1.5">
            <span className="w-24 shrink-0 truncate font-mono text-xs text-zinc-500">{k}</span>
            {values.map((v) => (
              <button key={v} type="button" aria-pressed={labels[k] === v} className={cn(chip(labels[k] === v), 'font-mono')} onClick={() => setLabel(k, v)}>
                {v}
              </button>
            ))}
          </div>
        ))}
      </div>
      {selecting && (
        <div className="flex flex-wrap items-center gap-2 text-xs">
          <Button size="xs" variant="ghost" onClick={() => setSelected(new Set(visible.filter((t) => t.in_config).map((t) => t.id)))}>
            Select all
          </Button>
          <Button size="xs" variant="ghost" onClick={() => setSelected(new Set())}>
            Deselect all
          </Button>
          <span className="text-zinc-500">({selectedTemplates.length} selected)</span>
        </div>
      )}
      {visible.length === 0 ? (
        <EmptyState>No templates{templates.length > 0 ? ' match these filters' : ' configured for this group'}.</EmptyState>
      ) : (
        <ul className="grid gap-2 xl:grid-cols-2">
          {visible.map((t) => (
            <li key={t.id}>
              <TemplateCard
                template={t}
                isAdmin={isAdmin}
                hasAutoRequeueJob={autoRequeueTemplates.has(t.id)}
                onAdd={onAdd}
                selectable={selecting}
                selected={selected.has(t.id)}
                onToggleSelect={(x) =>
                  setSelected((s) => {
                    const n = new Set(s)
                    if (n.has(x.id)) n.delete(x.id)
                    else n.add(x.id)
                    return n
                  })
                }
              />
            </li>
          ))}
        </ul>
      )}
      <BulkBar count={selecting ? selectedTemplates.length : 0} onClear={() => setSelected(new Set())}>
        <label className="flex items-center gap-1.5 text-xs">
          <input type="checkbox" className="accent-sky-600" checked={includeExisting} onChange={(e) => setIncludeExisting(e.target.checked)} />
          Include templates with existing auto-requeue jobs
        </label>
        <Button size="xs" disabled={eligible.length === 0} onClick={() => planAdd(false)} data-testid="bulk-add">
          Add to Queue
        </Button>
        <Button size="xs" disabled={eligible.length === 0} onClick={() => planAdd(true)} data-testid="bulk-add-requeue">
          Add with Auto-requeue
        </Button>
      </BulkBar>
      <BulkAction spec={bulk} onClose={() => setBulk(null)} onFinished={() => setSelected(new Set())} />
    </div>
  )
}
