import type { SocketLike } from '@/live/socket'

/** An in-memory WebSocket: tests open, close and feed it by hand. */
export class FakeSocket implements SocketLike {
  readyState = 0
  sent: unknown[] = []
  closed = false
  onopen: ((ev: Event) => void) | null = null
  onclose: ((ev: CloseEvent) => void) | null = null
  onmessage: ((ev: MessageEvent) => void) | null = null
  onerror: ((ev: Event) => void) | null = null

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }

  close(): void {
    this.closed = true
    this.readyState = 3
  }

  open(): void {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }

  /** The server went away (or the network did). */
  drop(): void {
    this.readyState = 3
    this.onerror?.(new Event('error'))
    this.onclose?.(new CloseEvent('close', { code: 1006 }))
  }

  deliver(msg: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(msg) }))
  }

  sentOfType(type: string): unknown[] {
    return this.sent.filter((m) => (m as { type: string }).type === type)
  }
}

export function socketFactory() {
  const sockets: FakeSocket[] = []
  const create = (url: string) => {
    const s = new FakeSocket(url)
    sockets.push(s)
    return s
  }
  return { sockets, create, last: () => sockets[sockets.length - 1] }
}
