import { vi } from 'vitest'

export interface Call {
  url: string
  method: string
  body: unknown
  headers: Record<string, string>
}

type Reply = { status?: number; body?: unknown } | undefined

/**
 * Replaces global fetch. The handler sees each call and returns the reply;
 * every call is recorded, in order, for assertions.
 */
export function mockFetch(handler: (call: Call) => Reply | Promise<Reply>) {
  const calls: Call[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    }
    calls.push(call)
    const reply = (await handler(call)) ?? {}
    const status = reply.status ?? 200
    const text = reply.body === undefined ? '' : JSON.stringify(reply.body)
    return new Response(status === 204 ? null : text, { status, headers: { 'Content-Type': 'application/json' } })
  })
  vi.stubGlobal('fetch', fn)
  return { calls, fn }
}

/** The query parameters of a recorded call. */
export const params = (call: Call) => new URL(call.url, 'http://localhost').searchParams
export const pathOf = (call: Call) => new URL(call.url, 'http://localhost').pathname
