import { Navigate, useLocation } from 'react-router'
import type { ReactNode } from 'react'
import { LoadingBlock } from '@/components/Spinner'
import { useAuth } from '@/stores/auth'

/** Sends anonymous visitors to /login, remembering where they wanted to go. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const status = useAuth((s) => s.status)
  const location = useLocation()
  if (status === 'checking') return <LoadingBlock label="Loading..." />
  if (status !== 'authenticated') return <Navigate to="/login" replace state={{ from: location }} />
  return <>{children}</>
}

/** Admin-only pages show a notice instead of a broken page for read-only users. */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const role = useAuth((s) => s.user?.role)
  if (role !== 'admin') {
    return <p className="text-sm text-zinc-500">This page is only available to administrators.</p>
  }
  return <>{children}</>
}
