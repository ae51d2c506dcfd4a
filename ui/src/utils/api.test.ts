// @vitest-environment node
import { describe, expect, it, vi } from 'vitest'
import { ApiError, createApiClient, encodeQuery, NetworkError, type ApiClientDeps } from './api'

function client(reply: () => Response | Promise<Response>, token: string | null = 'tok') {
  const deps = {
    fetch: vi.fn(async () => reply()),
    getToken: () => token,
    clearToken: vi.fn(),
    onUnauthorized: vi.fn(),
    apiHref: (p: string) => `/api/v1${p}`,
    rootHref: (p: string) => p,
  } satisfies ApiClientDeps
  return { request: createApiClient(deps as unknown as ApiClientDeps), deps }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('request', () => {
  it('sends the bearer token, cookies and a JSON body', async () => {
    const { request, deps } = client(() => json(201, { id: 'j1' }))
    const got = await request<{ id: string }>('/groups/g1/queue', { method: 'POST', body: { template_id: 't' } })
    expect(got).toEqual({ id: 'j1' })
    const [url, init] = deps.fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/groups/g1/queue')
    expect(init.method).toBe('POST')
    expect(init.credentials).toBe('include')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"template_id":"t"}')
  })

  it('sends no Authorization header without a stored token (cookie-only sessions)', async () => {
    const { request, deps } = client(() => json(200, {}), null)
    await request('/auth/me')
    const init = (deps.fetch.mock.calls[0] as unknown as [string, RequestInit])[1]
    expect((init.headers as Record<string, string>).Authorization).toBeUndefined()
  })

  it('returns undefined for 204 No Content', async () => {
    const { request } = client(() => new Response(null, { status: 204 }))
    await expect(request('/groups/g1/queue/reorder', { method: 'PUT', body: { job_ids: ['a'] } })).resolves.toBeUndefined()
  })

  it('throws ApiError with the server error text and status', async () => {
    const { request } = client(() => json(400, { error: 'cannot update job with status running' }))
    const err = await request('/jobs/x', { method: 'PUT', body: {} }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(400)
    expect((err as ApiError).message).toBe('cannot update job with status running')
  })

  it('falls back to plain text bodies and then to the status code', async () => {
    const plain = client(() => new Response('Forbidden', { status: 403 }))
    await expect(plain.request('/templates/reload', { method: 'POST' })).rejects.toThrow('Forbidden')
    const empty = client(() => new Response('', { status: 502 }))
    await expect(empty.request('/groups')).rejects.toThrow('HTTP 502')
  })

  it('on 401 clears the token and signs out, then throws', async () => {
    const { request, deps } = client(() => json(401, { error: 'unauthorized' }))
    await expect(request('/groups')).rejects.toMatchObject({ status: 401 })
    expect(deps.clearToken).toHaveBeenCalledTimes(1)
    expect(deps.onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('does not sign out again when the logout call itself gets 401', async () => {
    const { request, deps } = client(() => json(401, { error: 'unauthorized' }))
    await expect(request('/auth/logout', { method: 'POST', ignoreUnauthorized: true })).rejects.toBeInstanceOf(ApiError)
    expect(deps.onUnauthorized).not.toHaveBeenCalled()
    expect(deps.clearToken).not.toHaveBeenCalled()
  })

  it('does not sign out on 403', async () => {
    const { request, deps } = client(() => json(403, { error: 'forbidden' }))
    await expect(request('/templates/reload', { method: 'POST' })).rejects.toMatchObject({ status: 403 })
    expect(deps.onUnauthorized).not.toHaveBeenCalled()
  })

  it('wraps transport failures in NetworkError', async () => {
    const { request } = client(() => Promise.reject(new TypeError('Failed to fetch')))
    const err = await request('/groups').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as Error).message).toContain('GET /groups: Failed to fetch')
  })

  it('resolves root paths outside the API base', async () => {
    const { request, deps } = client(() => json(200, { status: 'ok' }))
    await request('/health', { root: true })
    expect((deps.fetch.mock.calls[0] as unknown as [string])[0]).toBe('/health')
  })
})

describe('encodeQuery', () => {
  it('skips empty values and joins lists with commas', () => {
    expect(encodeQuery({ limit: 50, before: undefined, status: ['failed', 'cancelled'], q: '', x: null })).toBe(
      '?limit=50&status=failed%2Ccancelled',
    )
    expect(encodeQuery({ 'label.network': 'hoodi' })).toBe('?label.network=hoodi')
    expect(encodeQuery({})).toBe('')
  })
})
