import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { socketFactory } from '@/test/fakeSocket'
import { LiveSocket, type Envelope } from './socket'

function setup() {
  const f = socketFactory()
  const messages: Envelope[] = []
  const onReconnect = vi.fn()
  const live = new LiveSocket({
    url: () => 'ws://test/api/v1/ws',
    createSocket: f.create,
    onMessage: (m) => messages.push(m),
    onReconnect,
  })
  return { f, live, messages, onReconnect }
}

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('LiveSocket', () => {
  it('opens one connection however many components follow groups', () => {
    const { f, live } = setup()
    live.start()
    live.start()
    const offs = [live.subscribe('g1'), live.subscribe('g1'), live.subscribe('*'), live.subscribe('g2')]
    f.last().open()
    expect(f.sockets).toHaveLength(1)
    expect(f.last().sentOfType('subscribe')).toEqual([
      { type: 'subscribe', group_id: 'g1' },
      { type: 'subscribe', group_id: '*' },
      { type: 'subscribe', group_id: 'g2' },
    ])
    offs.forEach((off) => off())
  })

  it('unsubscribes only when the last follower leaves', () => {
    const { f, live } = setup()
    live.start()
    f.last().open()
    const a = live.subscribe('g1')
    const b = live.subscribe('g1')
    expect(f.last().sentOfType('subscribe')).toHaveLength(1)
    a()
    a()
    expect(f.last().sentOfType('unsubscribe')).toHaveLength(0)
    b()
    expect(f.last().sentOfType('unsubscribe')).toEqual([{ type: 'unsubscribe', group_id: 'g1' }])
    expect(live.subscribedGroups()).toEqual([])
  })

  it('reconnects with exponential backoff capped at 10 s', () => {
    const { f, live } = setup()
    live.start()
    const delays: number[] = []
    for (let i = 0; i < 7; i++) {
      const before = f.sockets.length
      f.last().drop()
      expect(live.getState()).toBe('closed')
      let waited = 0
      while (f.sockets.length === before) {
        vi.advanceTimersByTime(100)
        waited += 100
        if (waited > 20_000) throw new Error('no reconnect')
      }
      delays.push(waited)
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000])
  })

  it('resets the backoff after a successful connection', () => {
    const { f, live } = setup()
    live.start()
    f.last().drop()
    vi.advanceTimersByTime(500)
    f.last().drop()
    vi.advanceTimersByTime(1000)
    f.last().open()
    f.last().drop()
    const before = f.sockets.length
    vi.advanceTimersByTime(499)
    expect(f.sockets).toHaveLength(before)
    vi.advanceTimersByTime(1)
    expect(f.sockets).toHaveLength(before + 1)
  })

  it('re-subscribes every followed group after reconnecting and asks the pages to catch up', () => {
    const { f, live, onReconnect } = setup()
    live.start()
    live.subscribe('*')
    live.subscribe('g1')
    const first = f.last()
    first.open()
    expect(onReconnect).not.toHaveBeenCalled()
    first.drop()
    vi.advanceTimersByTime(500)
    const second = f.last()
    expect(second).not.toBe(first)
    second.open()
    expect(second.sentOfType('subscribe')).toEqual([
      { type: 'subscribe', group_id: '*' },
      { type: 'subscribe', group_id: 'g1' },
    ])
    expect(onReconnect).toHaveBeenCalledTimes(1)
    expect(live.getState()).toBe('open')
  })

  it('forwards messages and tracks the journal sequence', () => {
    const { f, live, messages } = setup()
    live.start()
    f.last().open()
    f.last().deliver({ type: 'hello', payload: { seq: 41, user: { username: 'a' } } })
    f.last().deliver({ type: 'job_state', group_id: 'g1', payload: { id: 'j' }, seq: 42 })
    f.last().onmessage?.(new MessageEvent('message', { data: 'not json' }))
    expect(messages.map((m) => m.type)).toEqual(['hello', 'job_state'])
    expect(live.getLastSeq()).toBe(42)
  })

  it('pings while open', () => {
    const { f, live } = setup()
    live.start()
    f.last().open()
    vi.advanceTimersByTime(30_000)
    expect(f.last().sentOfType('ping')).toHaveLength(1)
  })

  it('stops reconnecting after stop()', () => {
    const { f, live } = setup()
    live.start()
    f.last().open()
    live.stop()
    expect(f.last().closed).toBe(true)
    expect(live.getState()).toBe('idle')
    vi.advanceTimersByTime(60_000)
    expect(f.sockets).toHaveLength(1)
  })

  it('notifies state listeners', () => {
    const { f, live } = setup()
    const states: string[] = []
    live.onStateChange(() => states.push(live.getState()))
    live.start()
    f.last().open()
    f.last().drop()
    expect(states).toEqual(['connecting', 'open', 'closed'])
  })
})
