import { NavLink } from 'react-router'
import type { GroupWithStats } from '@/services/groups'
import { cn } from '@/utils/cn'
import { Icon, type IconName } from './Icon'

interface Props {
  groups: GroupWithStats[] | undefined
  isAdmin: boolean
  onNavigate?: () => void
}

const linkClass = ({ isActive }: { isActive: boolean }) =>
  cn(
    'flex items-center gap-2 rounded-md px-2.5 py-1.5 text-sm focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none',
    isActive
      ? 'bg-zinc-200/70 font-medium text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50'
      : 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100',
  )

export function Sidebar({ groups, isAdmin, onNavigate }: Props) {
  return (
    <nav aria-label="Main" className="flex h-full flex-col gap-4 overflow-y-auto p-3" data-testid="sidebar">
      <div className="space-y-0.5">
        <Item to="/" icon="grid" end onNavigate={onNavigate}>
          Dashboard
        </Item>
      </div>
      <div>
        <p className="px-2.5 pb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">Groups</p>
        <ul className="space-y-0.5">
          {(groups ?? []).map((g) => (
            <li key={g.id}>
              <NavLink to={`/groups/${encodeURIComponent(g.id)}`} className={linkClass} onClick={onNavigate} data-testid="sidebar-group">
                <span className="min-w-0 flex-1 truncate">{g.name || g.id}</span>
                {g.paused && <Icon name="pause" className="h-3 w-3 text-zinc-400" title="Paused" />}
                {g.running_jobs > 0 && (
                  <span className="rounded-full bg-green-500/15 px-1.5 text-xs font-medium text-green-700 tabular-nums dark:text-green-400" title="Running">
                    {g.running_jobs}
                  </span>
                )}
                {g.queued_jobs > 0 && (
                  <span className="rounded-full bg-amber-500/15 px-1.5 text-xs font-medium text-amber-700 tabular-nums dark:text-amber-400" title="Queued">
                    {g.queued_jobs}
                  </span>
                )}
              </NavLink>
            </li>
          ))}
          {groups && groups.length === 0 && <li className="px-2.5 text-xs text-zinc-500">No groups</li>}
        </ul>
      </div>
      <div className="space-y-0.5">
        <Item to="/runners" icon="server" onNavigate={onNavigate}>
          All Runners
        </Item>
        {isAdmin && (
          <Item to="/audit" icon="shield" onNavigate={onNavigate}>
            Audit
          </Item>
        )}
        <Item to="/api-docs" icon="book" onNavigate={onNavigate}>
          API Docs
        </Item>
      </div>
    </nav>
  )
}

function Item({ to, icon, end, children, onNavigate }: { to: string; icon: IconName; end?: boolean; children: React.ReactNode; onNavigate?: () => void }) {
  return (
    <NavLink to={to} end={end} className={linkClass} onClick={onNavigate}>
      <Icon name={icon} />
      {children}
    </NavLink>
  )
}
