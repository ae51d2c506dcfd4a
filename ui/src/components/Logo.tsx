export function Logo({ className = 'h-7 w-7' }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" className={className} aria-hidden>
      <rect width="32" height="32" rx="7" className="fill-zinc-900 dark:fill-zinc-100" />
      <path d="M9 8h7a8 8 0 0 1 0 16H9z" fill="none" stroke="#22c55e" strokeWidth="3" />
      <circle cx="16" cy="16" r="2.5" fill="#f59e0b" />
    </svg>
  )
}
