import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { running } from '@/test/factories/job'
import { runner } from '@/test/factories/runner'
import { template } from '@/test/factories/template'
import { indicatorLevel } from './StatusIndicator'
import { RunnersPanel } from './RunnersPanel'

describe('RunnersPanel', () => {
  it('groups runners and names the job a busy runner works on', () => {
    render(
      <RunnersPanel
        runners={[
          runner({ id: 7, name: 'busy-ours', busy: true }),
          runner({ id: 8, name: 'busy-foreign', busy: true }),
          runner({ id: 9, name: 'idle-one' }),
          runner({ id: 10, name: 'gone', status: 'offline' }),
        ]}
        jobs={[running({ runner_id: 7, template_id: 'tpl-1' })]}
        templates={new Map([['tpl-1', template()]])}
      />,
    )
    expect(screen.getByText('Runners (4)')).toBeInTheDocument()
    const states = screen.getAllByTestId('runner-item').map((li) => [li.dataset.state, li.textContent])
    expect(states).toEqual([
      ['idle', 'idle-one'],
      ['busy', 'busy-oursSync geth'],
      ['busy', 'busy-foreignexternal job'],
      ['offline', 'gone'],
    ])
  })
})

describe('indicatorLevel', () => {
  it('is Offline whenever the socket is down, else follows /status', () => {
    expect(indicatorLevel('closed', { status: 'healthy', timestamp: '' }).label).toBe('Offline')
    expect(indicatorLevel('connecting').label).toBe('Connecting')
    expect(indicatorLevel('open', { status: 'healthy', timestamp: '' }).label).toBe('Live')
    expect(indicatorLevel('open', { status: 'degraded', timestamp: '' }).label).toBe('Degraded')
    expect(indicatorLevel('open', { status: 'unhealthy', timestamp: '' }).label).toBe('Unhealthy')
  })
})
