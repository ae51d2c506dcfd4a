import { cn } from '@/utils/cn'

/** A row of toggle buttons of which exactly one is on. */
export function Segmented<T extends string>({
  value,
  options,
  onChange,
  testId,
}: {
  value: T
  options: [T, string][]
  onChange: (v: T) => void
  testId?: string
}) {
  return (
    <div role="group" className="inline-flex rounded-md border border-zinc-300 p-0.5 dark:border-zinc-700" data-testid={testId}>
      {options.map(([v, label]) => (
        <button
          key={v}
          type="button"
          aria-pressed={value === v}
          onClick={() => onChange(v)}
          className={cn(
            'rounded px-2 py-0.5 text-xs font-medium focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none',
            value === v ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' : 'text-zinc-600 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100',
          )}
        >
          {label}
        </button>
      ))}
    </div>
  )
}
