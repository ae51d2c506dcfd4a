import type { User } from '@/services/auth'
import { Badge } from './Badge'
import { Icon } from './Icon'
import { Popover } from './Popover'

export function UserMenu({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  return (
    <Popover
      trigger={(p) => (
        <button
          type="button"
          {...p}
          aria-label={`Account: ${user.username}`}
          data-testid="user-menu"
          className="flex h-8 w-8 items-center justify-center rounded-full bg-zinc-800 text-sm font-semibold text-white uppercase focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-2 focus-visible:outline-none dark:bg-zinc-200 dark:text-zinc-900"
        >
          {user.username.slice(0, 1)}
        </button>
      )}
    >
      {(close) => (
        <div>
          <div className="border-b border-zinc-200 px-3 py-2 dark:border-zinc-800">
            <p className="flex items-center gap-2 font-medium">
              {user.username}
              {user.role === 'admin' && <Badge tone="amber">admin</Badge>}
            </p>
            <p className="text-xs text-zinc-500">{user.auth_provider} auth</p>
          </div>
          <button
            type="button"
            className="mt-1 flex w-full items-center gap-2 rounded-md px-3 py-2 text-left hover:bg-zinc-100 focus-visible:bg-zinc-100 focus-visible:outline-none dark:hover:bg-zinc-800 dark:focus-visible:bg-zinc-800"
            onClick={() => {
              close()
              onSignOut()
            }}
            data-testid="sign-out"
          >
            <Icon name="logout" /> Sign out
          </button>
        </div>
      )}
    </Popover>
  )
}
