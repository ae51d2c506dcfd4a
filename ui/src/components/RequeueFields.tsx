export interface RequeueSettings {
  enabled: boolean
  limited: boolean
  limit: number
}

export const DEFAULT_REQUEUE: RequeueSettings = { enabled: false, limited: false, limit: 5 }

/** The request fields for the settings: null means no limit. */
export function requeueRequest(s: RequeueSettings): { auto_requeue: boolean; requeue_limit: number | null } {
  return { auto_requeue: s.enabled, requeue_limit: s.enabled && s.limited ? clampLimit(s.limit) : null }
}

const clampLimit = (n: number) => Math.min(1000, Math.max(1, Math.round(Number.isFinite(n) ? n : 5)))

export function RequeueFields({ value, onChange }: { value: RequeueSettings; onChange: (v: RequeueSettings) => void }) {
  return (
    <div className="space-y-2 text-sm">
      <label className="flex items-center gap-2">
        <input type="checkbox" className="accent-sky-600" checked={value.enabled} onChange={(e) => onChange({ ...value, enabled: e.target.checked })} data-testid="requeue-enabled" />
        Auto-requeue after completion
      </label>
      {value.enabled && (
        <div className="flex flex-wrap items-center gap-2 pl-6">
          <label className="flex items-center gap-2">
            <input type="checkbox" className="accent-sky-600" checked={value.limited} onChange={(e) => onChange({ ...value, limited: e.target.checked })} data-testid="requeue-limited" />
            Limit number of requeues
          </label>
          {value.limited && (
            <input
              type="number"
              min={1}
              max={1000}
              value={value.limit}
              onChange={(e) => onChange({ ...value, limit: Number(e.target.value) })}
              aria-label="Requeue limit"
              data-testid="requeue-limit"
              className="w-24 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-950"
            />
          )}
        </div>
      )}
    </div>
  )
}
