// The single fetch wrapper. Every REST call goes through request(), which
// adds the bearer token, sends cookies, decodes JSON, maps failures to typed
// errors, and turns a 401 into a global sign-out.

import { apiHref, rootHref } from './config'
import { clearToken, getToken } from './token'

/** A non-2xx answer from the API; `message` is the server's `error` text. */
export class ApiError extends Error {
  readonly status: number
  readonly body: unknown

  constructor(status: number, message: string, body: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.body = body
  }
}

/** The request never got an HTTP answer (server down, DNS, CORS, abort). */
export class NetworkError extends Error {
  readonly cause: unknown

  constructor(message: string, cause: unknown) {
    super(message)
    this.name = 'NetworkError'
    this.cause = cause
  }
}

export function isApiError(err: unknown, status?: number): err is ApiError {
  return err instanceof ApiError && (status === undefined || err.status === status)
}

export type Query = Record<string, string | number | boolean | null | undefined | string[]>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  body?: unknown
  query?: Query
  signal?: AbortSignal
  /** Resolve the path against the API host root instead of the API base. */
  root?: boolean
  /**
   * Do not sign out on 401. The logout call sets it: its own 401 must not
   * fire another logout (the loop the reference fixed in 623e7c8).
   */
  ignoreUnauthorized?: boolean
}

export interface ApiClientDeps {
  fetch: typeof fetch
  getToken: () => string | null
  /** Called once per 401 answer, after the stored token was cleared. */
  onUnauthorized: () => void
  clearToken: () => void
  apiHref: (path: string) => string
  rootHref: (path: string) => string
}

export type RequestFn = <T>(path: string, options?: RequestOptions) => Promise<T>

export function createApiClient(deps: ApiClientDeps): RequestFn {
  return async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const url = (options.root ? deps.rootHref(path) : deps.apiHref(path)) + encodeQuery(options.query)
    const headers: Record<string, string> = { Accept: 'application/json' }
    const token = deps.getToken()
    if (token) headers.Authorization = `Bearer ${token}`
    let body: string | undefined
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }

    let res: Response
    try {
      res = await deps.fetch(url, {
        method: options.method ?? 'GET',
        headers,
        body,
        credentials: 'include',
        signal: options.signal,
      })
    } catch (err) {
      throw new NetworkError(`${options.method ?? 'GET'} ${path}: ${errorText(err)}`, err)
    }

    if (res.status === 401 && !options.ignoreUnauthorized) {
      deps.clearToken()
      deps.onUnauthorized()
    }
    if (!res.ok) {
      const parsed = await readBody(res)
      throw new ApiError(res.status, errorMessage(parsed, res.status), parsed)
    }
    if (res.status === 204 || res.status === 205) {
      return undefined as T
    }
    return (await readBody(res)) as T
  }
}

/** Fired on window when any request got a 401; the auth store listens. */
export const UNAUTHORIZED_EVENT = 'dispatchoor:unauthorized'

export const request: RequestFn = createApiClient({
  fetch: (...args) => fetch(...args),
  getToken,
  clearToken,
  onUnauthorized: () => window.dispatchEvent(new Event(UNAUTHORIZED_EVENT)),
  apiHref: (p) => apiHref(p),
  rootHref: (p) => rootHref(p),
})

export function encodeQuery(query?: Query): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','))
      continue
    }
    params.set(key, String(value))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text()
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function errorMessage(body: unknown, status: number): string {
  if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string' && body.error) {
    return body.error
  }
  if (typeof body === 'string' && body.trim() !== '' && body.length < 200) {
    return body.trim()
  }
  return `HTTP ${status}`
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
