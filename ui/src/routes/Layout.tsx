import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import { Link, Outlet, useLocation, useNavigate } from 'react-router'
import { IconButton } from '@/components/Button'
import { Icon } from '@/components/Icon'
import { Logo } from '@/components/Logo'
import { Sidebar } from '@/components/Sidebar'
import { StatusIndicator } from '@/components/StatusIndicator'
import { ThemeToggle } from '@/components/ThemeToggle'
import { UserMenu } from '@/components/UserMenu'
import { useConnectionState, useGroupSubscription, useLiveSocket } from '@/live/LiveProvider'
import { isAdmin, logout } from '@/services/auth'
import { fetchGroups } from '@/services/groups'
import { queryKeys } from '@/services/keys'
import { fetchStatus } from '@/services/status'
import { useAuth } from '@/stores/auth'
import { useLayout } from '@/stores/layout'
import { cn } from '@/utils/cn'

export const REPOSITORY_URL = 'https://github.com/dispatchoor/dispatchoor'

export function Layout() {
  const user = useAuth((s) => s.user)
  const signOut = useAuth((s) => s.signOut)
  const qc = useQueryClient()
  const navigate = useNavigate()
  const location = useLocation()
  const { sidebarCollapsed, drawerOpen, toggleSidebar, setDrawerOpen } = useLayout()
  const live = useLiveSocket()
  const connection = useConnectionState()
  // Every page shows group counters (sidebar), so the layout follows all groups.
  useGroupSubscription('*')

  const groups = useQuery({ queryKey: queryKeys.groups(), queryFn: ({ signal }) => fetchGroups(signal) })
  // /status is not part of the live stream; its health summary is refreshed slowly.
  const status = useQuery({
    queryKey: queryKeys.status(),
    queryFn: ({ signal }) => fetchStatus(signal),
    refetchInterval: 30_000,
  })

  useEffect(() => setDrawerOpen(false), [location.pathname, setDrawerOpen])

  // The phone drawer behaves like a dialog: focus moves into it, Escape
  // closes it, and focus goes back to the menu button.
  const drawer = useRef<HTMLElement>(null)
  const menuButton = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (!drawerOpen) return
    drawer.current?.querySelector<HTMLElement>('a[href]')?.focus()
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setDrawerOpen(false)
    document.addEventListener('keydown', onKey)
    const button = menuButton.current
    return () => {
      document.removeEventListener('keydown', onKey)
      button?.focus()
    }
  }, [drawerOpen, setDrawerOpen])

  const handleSignOut = async () => {
    try {
      await logout()
    } catch {
      // The local session is dropped whatever the server said.
    }
    signOut()
    qc.clear()
    navigate('/login', { replace: true })
  }

  const toggle = () => {
    if (window.matchMedia?.('(min-width: 768px)').matches) toggleSidebar()
    else setDrawerOpen(!drawerOpen)
  }

  const fullBleed = location.pathname === '/api-docs'
  const sidebar = <Sidebar groups={groups.data} isAdmin={isAdmin(user)} onNavigate={() => setDrawerOpen(false)} />

  return (
    <div className="flex h-dvh flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:p-2 dark:focus:bg-zinc-900">
        Skip to content
      </a>
      <header className="flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200 bg-white/80 px-3 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/80">
        <IconButton ref={menuButton} label="Toggle sidebar" onClick={toggle} aria-expanded={drawerOpen || !sidebarCollapsed} data-testid="sidebar-toggle">
          <Icon name="menu" className="h-5 w-5" />
        </IconButton>
        <Link to="/" className="flex items-center gap-2 rounded-md px-1 font-semibold focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none">
          <Logo />
          <span className="hidden sm:inline">Dispatchoor</span>
        </Link>
        <div className="ml-auto flex items-center gap-1">
          <StatusIndicator connection={connection} status={status.data} statusError={status.error} lastSeq={live.getLastSeq()} />
          <Link
            to="/api-docs"
            aria-label="API docs"
            title="API docs"
            className="hidden h-8 w-8 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none sm:inline-flex dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            <Icon name="book" />
          </Link>
          <a
            href={REPOSITORY_URL}
            target="_blank"
            rel="noreferrer"
            aria-label="Source repository"
            title="Source repository"
            className="hidden h-8 w-8 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none sm:inline-flex dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            <Icon name="github" />
          </a>
          <ThemeToggle />
          {user && <UserMenu user={user} onSignOut={() => void handleSignOut()} />}
        </div>
      </header>
      <div className="flex min-h-0 flex-1">
        <aside
          className={cn(
            'hidden w-60 shrink-0 border-r border-zinc-200 bg-zinc-50 md:block dark:border-zinc-800 dark:bg-zinc-950',
            (sidebarCollapsed || fullBleed) && 'md:hidden',
          )}
        >
          {sidebar}
        </aside>
        {drawerOpen && (
          <div className="fixed inset-0 z-40 md:hidden" data-testid="sidebar-drawer">
            <div className="absolute inset-0 bg-zinc-950/50" aria-hidden onClick={() => setDrawerOpen(false)} />
            <aside ref={drawer} role="dialog" aria-modal="true" aria-label="Navigation" className="absolute inset-y-0 left-0 w-72 max-w-[85vw] border-r border-zinc-200 bg-zinc-50 shadow-xl dark:border-zinc-800 dark:bg-zinc-950">
              {sidebar}
            </aside>
          </div>
        )}
        <main id="main" className={cn('min-w-0 flex-1 overflow-y-auto', !fullBleed && 'p-4 md:p-6')}>
          <Outlet />
        </main>
      </div>
    </div>
  )
}
