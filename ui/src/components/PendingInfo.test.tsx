import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { etaText } from '@/utils/time'
import { PendingInfo } from './PendingInfo'

const NOW = Date.parse('2026-01-10T14:00:00Z')
const plus = (ms: number) => new Date(NOW + ms).toISOString()

describe('etaText', () => {
  it('rounds to a readable estimate', () => {
    expect(etaText(plus(4 * 60_000), NOW)).toBe('starts in ~4m')
    expect(etaText(plus(50_000), NOW)).toBe('starts in ~1m')
    expect(etaText(plus(10_000), NOW)).toBe('starting soon')
    expect(etaText(plus(-60_000), NOW)).toBe('starting soon')
    expect(etaText(plus(3 * 3600_000), NOW)).toBe('starts in ~3h')
    expect(etaText(null, NOW)).toBeNull()
    expect(etaText('garbage', NOW)).toBeNull()
  })
})

describe('PendingInfo', () => {
  it('shows reason and eta together', () => {
    render(<PendingInfo reason="2 matching runners busy" eta={plus(4 * 60_000)} now={NOW} />)
    expect(screen.getByTestId('pending-reason')).toHaveTextContent('2 matching runners busy')
    expect(screen.getByTestId('job-eta')).toHaveTextContent('starts in ~4m')
  })

  it('shows the reason alone when there is no estimate', () => {
    render(<PendingInfo reason="group paused" eta={null} now={NOW} />)
    expect(screen.getByTestId('pending-reason')).toHaveTextContent('group paused')
    expect(screen.queryByTestId('job-eta')).not.toBeInTheDocument()
  })

  it('renders nothing without reason or eta', () => {
    const { container } = render(<PendingInfo now={NOW} />)
    expect(container).toBeEmptyDOMElement()
  })
})
