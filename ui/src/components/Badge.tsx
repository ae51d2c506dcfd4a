import type { HTMLAttributes } from 'react'
import { cn } from '@/utils/cn'

export type Tone = 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'violet' | 'sky'

export const toneClasses: Record<Tone, string> = {
  neutral: 'bg-zinc-100 text-zinc-700 ring-zinc-300 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700',
  green: 'bg-green-50 text-green-700 ring-green-600/30 dark:bg-green-500/10 dark:text-green-400 dark:ring-green-500/30',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/30 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-500/30',
  red: 'bg-red-50 text-red-700 ring-red-600/30 dark:bg-red-500/10 dark:text-red-400 dark:ring-red-500/30',
  blue: 'bg-blue-50 text-blue-700 ring-blue-600/30 dark:bg-blue-500/10 dark:text-blue-300 dark:ring-blue-500/30',
  violet: 'bg-violet-50 text-violet-700 ring-violet-600/30 dark:bg-violet-500/10 dark:text-violet-300 dark:ring-violet-500/30',
  sky: 'bg-sky-50 text-sky-700 ring-sky-600/30 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-500/30',
}

export function Badge({ tone = 'neutral', className, ...rest }: HTMLAttributes<HTMLSpanElement> & { tone?: Tone }) {
  return (
    <span
      className={cn(
        'inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset',
        toneClasses[tone],
        className,
      )}
      {...rest}
    />
  )
}

/** A runner or template label chip, monospace to read like the config. */
export function LabelChip({ children, title }: { children: React.ReactNode; title?: string }) {
  return (
    <span
      title={title}
      className="inline-flex max-w-full items-center truncate rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-600 dark:bg-zinc-800 dark:text-zinc-400"
    >
      {children}
    </span>
  )
}
