import { afterEach, describe, expect, it, vi } from 'vitest'
import { apiHref, DEFAULT_API_URL, loadRuntimeConfig, rootHref, runtimeConfig, setRuntimeConfig, wsHref } from './config'

afterEach(() => setRuntimeConfig({ apiUrl: DEFAULT_API_URL }))

describe('runtime config', () => {
  it('reads apiUrl from /config.json', async () => {
    const f = vi.fn(async () => new Response('{"apiUrl":"https://api.example.test/api/v1/"}'))
    await loadRuntimeConfig(f as unknown as typeof fetch)
    expect(f).toHaveBeenCalledWith('/config.json', expect.anything())
    expect(runtimeConfig().apiUrl).toBe('https://api.example.test/api/v1')
    expect(apiHref('/groups')).toBe('https://api.example.test/api/v1/groups')
    expect(rootHref('/health')).toBe('https://api.example.test/health')
  })

  it('falls back to /api/v1 when the file is missing or broken', async () => {
    await loadRuntimeConfig((async () => new Response('nope', { status: 404 })) as unknown as typeof fetch)
    expect(runtimeConfig().apiUrl).toBe('/api/v1')
    await loadRuntimeConfig((async () => new Response('{not json')) as unknown as typeof fetch)
    expect(runtimeConfig().apiUrl).toBe('/api/v1')
    await loadRuntimeConfig((async () => Promise.reject(new Error('offline'))) as unknown as typeof fetch)
    expect(runtimeConfig().apiUrl).toBe('/api/v1')
  })

  it('derives the WebSocket URL from the API base', () => {
    expect(wsHref('/api/v1', { protocol: 'https:', host: 'dash.example.test' })).toBe('wss://dash.example.test/api/v1/ws')
    expect(wsHref('/api/v1', { protocol: 'http:', host: '127.0.0.1:5173' })).toBe('ws://127.0.0.1:5173/api/v1/ws')
    expect(wsHref('https://api.example.test/api/v1')).toBe('wss://api.example.test/api/v1/ws')
  })
})
