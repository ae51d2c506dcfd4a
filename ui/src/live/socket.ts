// LiveSocket owns the tab's single WebSocket. Components never open sockets;
// they ask for group subscriptions (reference-counted) and read the
// connection state. Reconnects back off exponentially (0.5 s doubling to
// 10 s) and re-send every active subscription once the socket is open again.

export interface Envelope {
  type: string
  group_id?: string
  payload?: unknown
  seq?: number
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed'

/** The part of the browser WebSocket that LiveSocket uses; tests supply fakes. */
export interface SocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((ev: Event) => void) | null
  onclose: ((ev: CloseEvent) => void) | null
  onmessage: ((ev: MessageEvent) => void) | null
  onerror: ((ev: Event) => void) | null
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  setInterval(fn: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export interface LiveSocketOptions {
  /** Computed on every attempt so a token stored after start-up is used. */
  url: () => string
  createSocket?: (url: string) => SocketLike
  onMessage: (msg: Envelope) => void
  /** Called when a connection opens after an earlier one was lost. */
  onReconnect?: () => void
  timers?: Timers
  initialBackoffMs?: number
  maxBackoffMs?: number
  pingIntervalMs?: number
}

const OPEN = 1

const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
  clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
}

export class LiveSocket {
  private readonly opts: Required<Omit<LiveSocketOptions, 'onReconnect'>> & Pick<LiveSocketOptions, 'onReconnect'>
  private socket: SocketLike | null = null
  private state: ConnectionState = 'idle'
  private readonly subscriptions = new Map<string, number>()
  private readonly stateListeners = new Set<() => void>()
  private running = false
  private everOpened = false
  private attempt = 0
  private reconnectTimer: unknown = null
  private pingTimer: unknown = null
  private lastSeq = 0

  constructor(options: LiveSocketOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url),
      timers: browserTimers,
      initialBackoffMs: 500,
      maxBackoffMs: 10_000,
      pingIntervalMs: 30_000,
      ...options,
    }
  }

  /** Opens the connection; calling it again while running does nothing. */
  start(): void {
    if (this.running) return
    this.running = true
    this.connect()
  }

  /** Closes the connection and stops reconnecting (sign-out). */
  stop(): void {
    this.running = false
    this.clearTimers()
    const s = this.socket
    this.socket = null
    this.everOpened = false
    this.attempt = 0
    if (s) {
      s.onopen = s.onclose = s.onmessage = s.onerror = null
      s.close(1000, 'client stopped')
    }
    this.setState('idle')
  }

  /**
   * Follows a group ("*" for all); returns the function that stops following.
   * Several components may follow the same group: the server hears about it
   * once, and the unsubscribe goes out when the last follower leaves.
   */
  subscribe(groupId: string): () => void {
    const n = this.subscriptions.get(groupId) ?? 0
    this.subscriptions.set(groupId, n + 1)
    if (n === 0) this.send({ type: 'subscribe', group_id: groupId })
    let done = false
    return () => {
      if (done) return
      done = true
      const left = (this.subscriptions.get(groupId) ?? 1) - 1
      if (left > 0) {
        this.subscriptions.set(groupId, left)
        return
      }
      this.subscriptions.delete(groupId)
      this.send({ type: 'unsubscribe', group_id: groupId })
    }
  }

  getState = (): ConnectionState => this.state

  /** The journal index of the newest message seen (from hello or any message). */
  getLastSeq = (): number => this.lastSeq

  onStateChange = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener)
    return () => this.stateListeners.delete(listener)
  }

  subscribedGroups(): string[] {
    return [...this.subscriptions.keys()]
  }

  private connect(): void {
    this.setState('connecting')
    let socket: SocketLike
    try {
      socket = this.opts.createSocket(this.opts.url())
    } catch {
      this.scheduleReconnect()
      return
    }
    this.socket = socket
    socket.onopen = () => this.handleOpen()
    socket.onmessage = (ev) => this.handleMessage(ev)
    socket.onclose = () => this.handleClose(socket)
    // An error is always followed by close, where the retry is scheduled.
    socket.onerror = () => {}
  }

  private handleOpen(): void {
    const reconnected = this.everOpened
    this.everOpened = true
    this.attempt = 0
    this.setState('open')
    for (const groupId of this.subscriptions.keys()) this.send({ type: 'subscribe', group_id: groupId })
    this.pingTimer = this.opts.timers.setInterval(() => this.send({ type: 'ping' }), this.opts.pingIntervalMs)
    // Anything may have happened while we were away: let the pages catch up.
    if (reconnected) this.opts.onReconnect?.()
  }

  private handleMessage(ev: MessageEvent): void {
    let msg: Envelope
    try {
      msg = JSON.parse(String(ev.data)) as Envelope
    } catch {
      return
    }
    if (!msg || typeof msg.type !== 'string') return
    if (typeof msg.seq === 'number' && msg.seq > this.lastSeq) this.lastSeq = msg.seq
    if (msg.type === 'hello' && msg.payload && typeof (msg.payload as { seq?: unknown }).seq === 'number') {
      this.lastSeq = Math.max(this.lastSeq, (msg.payload as { seq: number }).seq)
    }
    this.opts.onMessage(msg)
  }

  private handleClose(socket: SocketLike): void {
    if (socket !== this.socket) return
    this.socket = null
    this.clearTimers()
    if (!this.running) return
    this.setState('closed')
    this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    if (!this.running) return
    const delay = Math.min(this.opts.maxBackoffMs, this.opts.initialBackoffMs * 2 ** this.attempt)
    this.attempt++
    this.reconnectTimer = this.opts.timers.setTimeout(() => {
      this.reconnectTimer = null
      if (this.running) this.connect()
    }, delay)
  }

  private send(msg: Envelope): void {
    const s = this.socket
    if (s && s.readyState === OPEN) s.send(JSON.stringify(msg))
  }

  private clearTimers(): void {
    if (this.reconnectTimer !== null) this.opts.timers.clearTimeout(this.reconnectTimer)
    if (this.pingTimer !== null) this.opts.timers.clearInterval(this.pingTimer)
    this.reconnectTimer = null
    this.pingTimer = null
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return
    this.state = next
    for (const l of this.stateListeners) l()
  }
}
