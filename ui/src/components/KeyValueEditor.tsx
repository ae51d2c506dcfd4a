import { Button, IconButton } from './Button'
import { Icon } from './Icon'

export type Pair = { key: string; value: string }

export const pairsFromMap = (m: Record<string, string> | null | undefined): Pair[] =>
  Object.entries(m ?? {}).map(([key, value]) => ({ key, value }))

/** Rows with an empty key are dropped; a later duplicate key wins. */
export const mapFromPairs = (pairs: Pair[]): Record<string, string> =>
  Object.fromEntries(pairs.filter((p) => p.key.trim() !== '').map((p) => [p.key.trim(), p.value]))

interface Props {
  label: string
  pairs: Pair[]
  onChange: (pairs: Pair[]) => void
  testId?: string
}

const field =
  'min-w-0 rounded-md border border-zinc-300 bg-white px-2 py-1.5 font-mono text-xs focus:border-sky-500 focus:ring-2 focus:ring-sky-500/40 focus:outline-none dark:border-zinc-700 dark:bg-zinc-950'

export function KeyValueEditor({ label, pairs, onChange, testId }: Props) {
  const set = (i: number, p: Partial<Pair>) => onChange(pairs.map((x, j) => (j === i ? { ...x, ...p } : x)))
  return (
    <fieldset className="space-y-2" data-testid={testId}>
      <legend className="text-sm font-medium">{label}</legend>
      {pairs.map((p, i) => (
        <div key={i} className="flex items-start gap-2">
          <input className={`${field} w-1/3`} placeholder="key" aria-label={`${label} key ${i + 1}`} value={p.key} onChange={(e) => set(i, { key: e.target.value })} />
          {p.value.length > 100 ? (
            <textarea className={`${field} min-h-20 flex-1`} aria-label={`${label} value ${i + 1}`} value={p.value} onChange={(e) => set(i, { value: e.target.value })} />
          ) : (
            <input className={`${field} flex-1`} placeholder="value" aria-label={`${label} value ${i + 1}`} value={p.value} onChange={(e) => set(i, { value: e.target.value })} />
          )}
          <IconButton label={`Remove ${p.key || 'row'}`} size="sm" onClick={() => onChange(pairs.filter((_, j) => j !== i))}>
            <Icon name="close" />
          </IconButton>
        </div>
      ))}
      <Button size="xs" variant="ghost" onClick={() => onChange([...pairs, { key: '', value: '' }])}>
        <Icon name="plus" /> Add
      </Button>
    </fieldset>
  )
}
