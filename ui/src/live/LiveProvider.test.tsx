import { QueryClient } from '@tanstack/react-query'
import { act, render, screen } from '@testing-library/react'
import { StrictMode } from 'react'
import { describe, expect, it } from 'vitest'
import { queryKeys } from '@/services/keys'
import { pending } from '@/test/factories/job'
import { socketFactory } from '@/test/fakeSocket'
import type { Job } from '@/services/jobs'
import { createLive } from './createLive'
import { LiveProvider, useConnectionState, useGroupSubscription } from './LiveProvider'

function Follower({ group }: { group: string }) {
  useGroupSubscription(group)
  return null
}

function State() {
  return <span data-testid="state">{useConnectionState()}</span>
}

describe('LiveProvider', () => {
  it('shares one socket between all components, even under StrictMode', () => {
    const f = socketFactory()
    const qc = new QueryClient()
    const live = createLive(qc, { createSocket: f.create, url: () => 'ws://x/ws' })
    render(
      <StrictMode>
        <LiveProvider live={live} active>
          <Follower group="*" />
          <Follower group="g1" />
          <Follower group="g1" />
          <State />
        </LiveProvider>
      </StrictMode>,
    )
    expect(f.sockets).toHaveLength(1)
    act(() => f.last().open())
    expect(screen.getByTestId('state')).toHaveTextContent('open')
    expect(f.last().sentOfType('subscribe')).toEqual([
      { type: 'subscribe', group_id: '*' },
      { type: 'subscribe', group_id: 'g1' },
    ])
  })

  it('writes live messages into the query cache', () => {
    const f = socketFactory()
    const qc = new QueryClient()
    qc.setQueryData<Job[]>(queryKeys.queue('g1'), [])
    const live = createLive(qc, { createSocket: f.create, url: () => 'ws://x/ws' })
    render(
      <LiveProvider live={live} active>
        <Follower group="g1" />
      </LiveProvider>,
    )
    act(() => f.last().open())
    act(() => f.last().deliver({ type: 'job_state', group_id: 'g1', payload: pending({ id: 'n1' }) }))
    expect(qc.getQueryData<Job[]>(queryKeys.queue('g1'))?.map((j) => j.id)).toEqual(['n1'])
  })

  it('closes the socket on sign-out', () => {
    const f = socketFactory()
    const live = createLive(new QueryClient(), { createSocket: f.create, url: () => 'ws://x/ws' })
    const { rerender } = render(<LiveProvider live={live} active>{null}</LiveProvider>)
    act(() => f.last().open())
    rerender(<LiveProvider live={live} active={false}>{null}</LiveProvider>)
    expect(f.last().closed).toBe(true)
    expect(live.getState()).toBe('idle')
  })
})
