import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import type { ConnectionState, LiveSocket } from './socket'

const LiveContext = createContext<LiveSocket | null>(null)

interface Props {
  live: LiveSocket
  /** The socket runs only while someone is signed in. */
  active: boolean
  children: ReactNode
}

/**
 * Shares the tab's single LiveSocket. The socket is created once, outside
 * React, so re-renders and StrictMode's double effects never open a second
 * connection; this provider only starts and stops it.
 */
export function LiveProvider({ live, active, children }: Props) {
  useEffect(() => {
    if (active) live.start()
    else live.stop()
  }, [live, active])
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>
}

export function useLiveSocket(): LiveSocket {
  const live = useContext(LiveContext)
  if (!live) throw new Error('useLiveSocket must be used inside <LiveProvider>')
  return live
}

export function useConnectionState(): ConnectionState {
  const live = useLiveSocket()
  return useSyncExternalStore(live.onStateChange, live.getState, live.getState)
}

/** Follows a group's live messages while the calling component is mounted. */
export function useGroupSubscription(groupId: string | undefined): void {
  const live = useLiveSocket()
  useEffect(() => {
    if (!groupId) return
    return live.subscribe(groupId)
  }, [live, groupId])
}
