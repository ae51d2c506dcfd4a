import type { QueryClient } from '@tanstack/react-query'
import { wsHref } from '@/utils/config'
import { getToken } from '@/utils/token'
import { applyLiveMessage, catchUp } from './cache'
import { LiveSocket, type LiveSocketOptions } from './socket'

/** The URL of the live socket; a stored token rides along for cross-origin setups. */
export function liveUrl(): string {
  const token = getToken()
  const base = wsHref()
  return token ? `${base}?token=${encodeURIComponent(token)}` : base
}

/** Wires a LiveSocket to the query cache. Call once per tab. */
export function createLive(qc: QueryClient, overrides: Partial<LiveSocketOptions> = {}): LiveSocket {
  return new LiveSocket({
    url: liveUrl,
    onMessage: (msg) => applyLiveMessage(qc, msg),
    onReconnect: () => catchUp(qc),
    ...overrides,
  })
}
