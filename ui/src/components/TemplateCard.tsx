import type { JobTemplate } from '@/services/templates'
import { templateTitle } from '@/services/templates'
import { cn } from '@/utils/cn'
import { Badge, LabelChip } from './Badge'
import { Button } from './Button'
import { Icon } from './Icon'
import { InputValue } from './InputValue'

interface Props {
  template: JobTemplate
  isAdmin: boolean
  hasAutoRequeueJob: boolean
  onAdd?: (t: JobTemplate) => void
  selectable?: boolean
  selected?: boolean
  onToggleSelect?: (t: JobTemplate) => void
}

export function workflowFileUrl(owner: string, repo: string, ref: string, workflowId: string): string {
  return `https://github.com/${owner}/${repo}/blob/${ref}/.github/workflows/${workflowId}`
}

export function TemplateCard({ template: t, isAdmin, hasAutoRequeueJob, onAdd, selectable, selected, onToggleSelect }: Props) {
  const inputs = Object.entries(t.default_inputs ?? {})
  const sourceName = t.source_type === 'url' ? 'URL' : t.source_type === 'file' ? baseName(t.source_path ?? '') : null
  return (
    <article
      data-testid="template-card"
      data-template-id={t.id}
      className={cn(
        'rounded-lg border bg-white p-3 dark:bg-zinc-900',
        selected ? 'border-sky-500 ring-1 ring-sky-500' : 'border-zinc-200 dark:border-zinc-800',
        !t.in_config && 'opacity-75',
      )}
    >
      <div className="flex items-start gap-2">
        {selectable && (
          <input
            type="checkbox"
            className="mt-1 h-4 w-4 accent-sky-600"
            checked={!!selected}
            disabled={!t.in_config}
            onChange={() => onToggleSelect?.(t)}
            aria-label={`Select ${templateTitle(t)}`}
            data-testid="template-select"
          />
        )}
        <div className="min-w-0 flex-1 space-y-1.5">
          <div className="flex flex-wrap items-center gap-1.5">
            <h3 className="truncate text-sm font-medium">{templateTitle(t)}</h3>
            {!t.in_config && <Badge tone="red">Not in config</Badge>}
            {sourceName && <Badge title={t.source_path}>{sourceName}</Badge>}
            {hasAutoRequeueJob && (
              <Badge tone="violet">
                <Icon name="repeat" className="h-3 w-3" /> Auto-requeue enabled
              </Badge>
            )}
          </div>
          {Object.keys(t.labels ?? {}).length > 0 && (
            <div className="flex flex-wrap gap-1">
              {Object.entries(t.labels ?? {}).map(([k, v]) => (
                <LabelChip key={k}>
                  {k}: {v}
                </LabelChip>
              ))}
            </div>
          )}
          <p className="flex flex-wrap gap-x-3 text-xs text-zinc-500">
            <a className="font-mono hover:underline" href={`https://github.com/${t.owner}/${t.repo}`} target="_blank" rel="noreferrer">
              {t.owner}/{t.repo}
            </a>
            <a className="font-mono hover:underline" href={workflowFileUrl(t.owner, t.repo, t.ref, t.workflow_id)} target="_blank" rel="noreferrer">
              {t.workflow_id}@{t.ref}
            </a>
          </p>
        </div>
        {isAdmin && t.in_config && !selectable && onAdd && (
          <Button size="xs" onClick={() => onAdd(t)} data-testid="template-add">
            <Icon name="plus" /> Add to Queue
          </Button>
        )}
      </div>
      {inputs.length > 0 && (
        <details className="mt-2 text-xs">
          <summary className="cursor-pointer text-zinc-500 select-none">Workflow Inputs ({inputs.length})</summary>
          <dl className="mt-1.5 space-y-1">
            {inputs.map(([k, v]) => (
              <div key={k} className="grid grid-cols-[minmax(6rem,auto)_1fr] gap-2">
                <dt className="font-mono text-zinc-500">{k}</dt>
                <dd className="min-w-0">
                  <InputValue value={v} />
                </dd>
              </div>
            ))}
          </dl>
        </details>
      )}
    </article>
  )
}

function baseName(p: string): string {
  const parts = p.split(/[\\/]/)
  return parts[parts.length - 1] || p
}
