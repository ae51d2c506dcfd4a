import { useState, type ReactNode } from 'react'
import { errorText } from '@/utils/api'
import { Button } from './Button'
import { Modal } from './Modal'

interface Props {
  open: boolean
  title: string
  children?: ReactNode
  /** Shown in an amber box: what may surprise the operator. */
  warning?: ReactNode
  confirmLabel: string
  tone?: 'danger' | 'warning' | 'primary'
  onConfirm: () => Promise<unknown> | void
  onClose: () => void
}

/** Asks before acting. Enter confirms, Escape cancels; errors stay in the dialog. */
export function ConfirmDialog({ open, title, children, warning, confirmLabel, tone = 'primary', onConfirm, onClose }: Props) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const confirm = async () => {
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      await onConfirm()
      onClose()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      open={open}
      onClose={onClose}
      title={title}
      size="sm"
      testId="confirm-dialog"
      onEnter={() => void confirm()}
      footer={
        <>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button variant={tone} onClick={() => void confirm()} disabled={busy} data-autofocus data-testid="confirm-ok">
            {busy ? 'Working…' : confirmLabel}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-sm text-zinc-700 dark:text-zinc-300">
        {children}
        {warning && (
          <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
            {warning}
          </div>
        )}
        {error && (
          <p role="alert" className="text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    </Modal>
  )
}
