import { useMemo, useState } from 'react'
import { templateTitle, type JobTemplate } from '@/services/templates'
import { cn } from '@/utils/cn'

/** Matches a template by name, id, or any label key or value. */
export function templateMatches(t: JobTemplate, query: string): boolean {
  const q = query.trim().toLowerCase()
  if (!q) return true
  const hay = [t.name, t.id, ...Object.entries(t.labels ?? {}).flat()]
  return hay.some((s) => s?.toLowerCase().includes(q))
}

interface Props {
  templates: JobTemplate[]
  selectedId: string | null
  onSelect: (t: JobTemplate) => void
}

export function TemplatePicker({ templates, selectedId, onSelect }: Props) {
  const [query, setQuery] = useState('')
  const shown = useMemo(() => templates.filter((t) => templateMatches(t, query)), [templates, query])
  return (
    <div className="space-y-2">
      <input
        type="search"
        placeholder="Search templates by name or label"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        aria-label="Search templates"
        data-testid="template-search"
        className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm focus:border-sky-500 focus:ring-2 focus:ring-sky-500/40 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950"
      />
      <ul className="max-h-48 space-y-1 overflow-y-auto rounded-md border border-zinc-200 p-1 dark:border-zinc-800" role="listbox" aria-label="Templates">
        {shown.map((t) => (
          <li key={t.id}>
            <button
              type="button"
              role="option"
              aria-selected={t.id === selectedId}
              onClick={() => onSelect(t)}
              data-testid="template-option"
              className={cn(
                'w-full rounded px-2 py-1.5 text-left text-sm focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none',
                t.id === selectedId ? 'bg-sky-600 text-white' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800',
              )}
            >
              <span className="block truncate font-medium">{templateTitle(t)}</span>
              <span className={cn('block truncate font-mono text-[11px]', t.id === selectedId ? 'text-sky-100' : 'text-zinc-500')}>
                {t.owner}/{t.repo} · {t.workflow_id}@{t.ref}
              </span>
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="px-2 py-1.5 text-sm text-zinc-500">No templates match.</li>}
      </ul>
    </div>
  )
}
