import { useEffect, useId, useRef, type ReactNode, type KeyboardEvent } from 'react'
import { createPortal } from 'react-dom'
import { cn } from '@/utils/cn'
import { IconButton } from './Button'
import { Icon } from './Icon'

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

// Open dialogs, innermost last: only the top one reacts to Escape and Tab, so a
// confirmation opened from a detail dialog closes alone.
const stack: string[] = []

interface ModalProps {
  open: boolean
  onClose: () => void
  title: ReactNode
  children: ReactNode
  footer?: ReactNode
  size?: 'sm' | 'md' | 'lg' | 'xl'
  /** data-testid of the dialog panel. */
  testId?: string
  /** Enter (outside text areas and buttons) runs this, e.g. confirm or submit. */
  onEnter?: () => void
}

const widths = { sm: 'max-w-md', md: 'max-w-lg', lg: 'max-w-2xl', xl: 'max-w-4xl' }

/**
 * An accessible modal dialog: focus moves into it on open, Tab cycles inside
 * it, Escape closes it, and focus returns to the opener on close.
 */
export function Modal(props: ModalProps) {
  if (!props.open) return null
  return createPortal(<ModalPanel {...props} />, document.body)
}

function ModalPanel({ onClose, title, children, footer, size = 'md', testId, onEnter }: ModalProps) {
  const id = useId()
  const panel = useRef<HTMLDivElement>(null)
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null
    stack.push(id)
    const el = panel.current
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE)
    ;(first ?? el)?.focus()
    const onDocKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && stack[stack.length - 1] === id) {
        e.stopPropagation()
        onCloseRef.current()
      }
    }
    document.addEventListener('keydown', onDocKey)
    return () => {
      document.removeEventListener('keydown', onDocKey)
      const i = stack.lastIndexOf(id)
      if (i >= 0) stack.splice(i, 1)
      opener?.focus?.()
    }
  }, [id])

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (stack[stack.length - 1] !== id) return
    if (e.key === 'Tab') trapTab(e, panel.current)
    if (e.key === 'Enter' && onEnter) {
      const target = e.target as HTMLElement
      const tag = target.tagName
      if (tag !== 'TEXTAREA' && tag !== 'BUTTON' && tag !== 'A' && tag !== 'SELECT') {
        e.preventDefault()
        onEnter()
      }
    }
  }

  return (
    <div className="fixed inset-0 z-50 flex items-end justify-center p-0 sm:items-center sm:p-4">
      <div className="absolute inset-0 bg-zinc-950/50 backdrop-blur-[1px]" aria-hidden onClick={() => onClose()} />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        tabIndex={-1}
        data-testid={testId}
        onKeyDown={onKeyDown}
        className={cn(
          'relative flex max-h-[92vh] w-full flex-col rounded-t-xl border border-zinc-200 bg-white shadow-xl outline-none sm:rounded-xl dark:border-zinc-800 dark:bg-zinc-900',
          widths[size],
        )}
      >
        <div className="flex items-start justify-between gap-4 border-b border-zinc-200 px-5 py-3 dark:border-zinc-800">
          <h2 id={`${id}-title`} className="min-w-0 text-base font-semibold">
            {title}
          </h2>
          <IconButton label="Close" size="sm" onClick={() => onClose()} data-testid="dialog-close">
            <Icon name="close" />
          </IconButton>
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto px-5 py-4">{children}</div>
        {footer && (
          <div className="flex flex-wrap items-center justify-end gap-2 border-t border-zinc-200 px-5 py-3 dark:border-zinc-800">
            {footer}
          </div>
        )}
      </div>
    </div>
  )
}

function trapTab(e: KeyboardEvent<HTMLDivElement>, root: HTMLElement | null): void {
  if (!root) return
  const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.hasAttribute('data-focus-skip'))
  if (items.length === 0) {
    e.preventDefault()
    root.focus()
    return
  }
  const first = items[0]
  const last = items[items.length - 1]
  const active = document.activeElement
  if (e.shiftKey && (active === first || active === root)) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && active === last) {
    e.preventDefault()
    first.focus()
  }
}
