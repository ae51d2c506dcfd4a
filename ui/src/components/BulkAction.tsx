import { useState, type ReactNode } from 'react'
import { errorText } from '@/utils/api'
import { runBulk } from '@/utils/bulk'
import { Button } from './Button'
import { ConfirmDialog } from './ConfirmDialog'

export interface BulkActionSpec<T> {
  /** Short verb shown on the progress overlay: "Pause: 3 of 10". */
  label: string
  title: string
  description: ReactNode
  warning?: ReactNode
  tone?: 'danger' | 'warning' | 'primary'
  items: T[]
  call: (item: T) => Promise<unknown>
  describe?: (item: T) => string
}

interface Props<T> {
  spec: BulkActionSpec<T> | null
  onClose: () => void
  /** Called after the calls settled, with the items that succeeded. */
  onFinished?: (succeeded: T[]) => void
}

/** Confirmation, then parallel calls behind an "<action>: i of n" overlay. */
export function BulkAction<T>({ spec, onClose, onFinished }: Props<T>) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  if (!spec) return null

  const confirm = async () => {
    const result = await runBulk(spec.items, spec.call, (done, total) => setProgress({ done, total }))
    setProgress(null)
    onFinished?.(result.succeeded)
    if (result.failed.length > 0) {
      const first = result.failed[0]
      const who = spec.describe ? `${spec.describe(first.item)}: ` : ''
      throw new Error(
        `${result.failed.length} of ${spec.items.length} failed (${who}${errorText(first.error)}). The others succeeded.`,
      )
    }
  }

  return (
    <>
      <ConfirmDialog
        open
        title={spec.title}
        confirmLabel={`${spec.label} ${spec.items.length}`}
        tone={spec.tone}
        warning={spec.warning}
        onConfirm={confirm}
        onClose={onClose}
      >
        {spec.description}
      </ConfirmDialog>
      {progress && (
        <div className="fixed inset-0 z-[60] flex items-center justify-center bg-zinc-950/40" role="status" aria-live="polite" data-testid="bulk-progress">
          <div className="w-72 rounded-xl border border-zinc-200 bg-white p-4 shadow-xl dark:border-zinc-800 dark:bg-zinc-900">
            <p className="text-sm font-medium">
              {spec.label}: {progress.done} of {progress.total}
            </p>
            <div className="mt-3 h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800">
              <div
                className="h-full bg-sky-500 transition-all"
                style={{ width: `${progress.total ? (progress.done / progress.total) * 100 : 0}%` }}
              />
            </div>
          </div>
        </div>
      )}
    </>
  )
}

interface BarProps {
  count: number
  children: ReactNode
  onClear: () => void
}

/** The floating bar of a selection: how many are picked, and what to do. */
export function BulkBar({ count, children, onClear }: BarProps) {
  if (count === 0) return null
  return (
    <div
      className="fixed inset-x-0 bottom-4 z-30 mx-auto flex w-fit max-w-[95vw] flex-wrap items-center gap-2 rounded-xl border border-zinc-200 bg-white px-3 py-2 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
      data-testid="bulk-bar"
    >
      <span className="text-sm font-medium">{count} selected</span>
      <span className="h-5 w-px bg-zinc-200 dark:bg-zinc-700" aria-hidden />
      {children}
      <Button size="xs" variant="ghost" onClick={onClear}>
        Clear
      </Button>
    </div>
  )
}
