// Runtime configuration. One build serves every deployment: the server (or
// the container serving the static files) writes /config.json, and the UI
// reads it before anything else talks to the API.

export interface RuntimeConfig {
  apiUrl: string
}

export const DEFAULT_API_URL = '/api/v1'

let current: RuntimeConfig = { apiUrl: DEFAULT_API_URL }

/** Returns the active configuration (the default until loadRuntimeConfig ran). */
export function runtimeConfig(): RuntimeConfig {
  return current
}

/** Replaces the active configuration; used by start-up and by tests. */
export function setRuntimeConfig(config: RuntimeConfig): void {
  current = { apiUrl: trimTrailingSlash(config.apiUrl || DEFAULT_API_URL) }
}

/**
 * Fetches /config.json. A missing or malformed file is not fatal: the UI is
 * usually served by the API itself, where the default base path is right.
 */
export async function loadRuntimeConfig(fetchImpl: typeof fetch = fetch): Promise<RuntimeConfig> {
  try {
    const res = await fetchImpl('/config.json', { cache: 'no-store' })
    if (res.ok) {
      const body = (await res.json()) as Partial<RuntimeConfig>
      if (typeof body.apiUrl === 'string' && body.apiUrl !== '') {
        setRuntimeConfig({ apiUrl: body.apiUrl })
        return current
      }
    }
  } catch {
    // Fall through to the default: config.json is optional.
  }
  setRuntimeConfig({ apiUrl: DEFAULT_API_URL })
  return current
}

/** Absolute URL of a path under the API base, e.g. apiHref('/groups'). */
export function apiHref(path: string, base = current.apiUrl): string {
  return base + path
}

/**
 * URL of a path at the API host's root (/health, /metrics), which live outside
 * the versioned base. A relative apiUrl means the page's own origin.
 */
export function rootHref(path: string, base = current.apiUrl): string {
  if (/^https?:\/\//i.test(base)) {
    return new URL(base).origin + path
  }
  return path
}

/** WebSocket URL for the API base: ws(s)://host<apiUrl>/ws. */
export function wsHref(base = current.apiUrl, location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  if (/^https?:\/\//i.test(base)) {
    return base.replace(/^http/i, 'ws') + '/ws'
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}${base}/ws`
}

function trimTrailingSlash(s: string): string {
  return s.length > 1 ? s.replace(/\/+$/, '') : s
}
