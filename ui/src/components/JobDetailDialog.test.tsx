import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { pending, running } from '@/test/factories/job'
import { template } from '@/test/factories/template'
import type { Job } from '@/services/jobs'
import { JobDetailDialog } from './JobDetailDialog'

function open(job: Job, extra: Partial<Parameters<typeof JobDetailDialog>[0]> = {}) {
  const onSave = vi.fn(async () => {})
  const onClose = vi.fn()
  render(<JobDetailDialog job={job} template={template()} isAdmin onSave={onSave} onClose={onClose} {...extra} />)
  return { onSave, onClose }
}

describe('JobDetailDialog', () => {
  it('clears an override by sending "" when reset to the template', async () => {
    const { onSave } = open(pending({ owner: 'fork', repo: 'my-fork' }))
    expect(screen.getByTestId('override-owner')).toHaveValue('fork')
    await userEvent.click(screen.getByTestId('override-reset-owner'))
    await userEvent.clear(screen.getByTestId('override-repo'))
    await userEvent.click(screen.getByTestId('job-save'))
    expect(onSave).toHaveBeenCalledWith({ owner: '', repo: '' })
  })

  it('sends edited inputs and a new override', async () => {
    const { onSave } = open(pending())
    await userEvent.clear(screen.getByTestId('input-network'))
    await userEvent.type(screen.getByTestId('input-network'), 'sepolia')
    expect(screen.getByText('default:')).toBeInTheDocument()
    await userEvent.clear(screen.getByTestId('override-ref'))
    await userEvent.type(screen.getByTestId('override-ref'), 'feature')
    await userEvent.click(screen.getByTestId('job-save'))
    expect(onSave).toHaveBeenCalledWith({ inputs: { network: 'sepolia' }, ref: 'feature' })
  })

  it('does not rewrite a pretty-printed JSON input that was not edited', async () => {
    const raw = '{"a":1,"b":[1,2]}'
    const { onSave } = open(pending({ inputs: { network: 'hoodi', cfg: raw } }))
    expect((screen.getByTestId('input-cfg') as HTMLTextAreaElement).value).toContain('\n')
    await userEvent.clear(screen.getByTestId('input-network'))
    await userEvent.type(screen.getByTestId('input-network'), 'x')
    await userEvent.click(screen.getByTestId('job-save'))
    expect(onSave).toHaveBeenCalledWith({ inputs: { network: 'x', cfg: raw } })
  })

  it('is read-only for jobs that are no longer pending', () => {
    open(running())
    expect(screen.queryByTestId('override-owner')).not.toBeInTheDocument()
    expect(screen.queryByTestId('job-save')).not.toBeInTheDocument()
    expect(screen.getByText('runner-7')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Run #42' })).toHaveAttribute('href', 'https://github.com/o/r/actions/runs/42')
  })

  it('shows the timeline only when events are available', () => {
    const events = [{ index: 3, time: '2026-01-10T12:00:00Z', type: 'JobEnqueued', actor: 'alice', summary: 'Enqueued by alice' }]
    const first = render(<JobDetailDialog job={pending()} isAdmin={false} events={events} onSave={vi.fn()} onClose={vi.fn()} />)
    expect(screen.getByTestId('job-timeline')).toHaveTextContent('Enqueued by alice')
    first.unmount()
    render(<JobDetailDialog job={pending()} isAdmin={false} onSave={vi.fn()} onClose={vi.fn()} />)
    expect(screen.queryByText('Timeline')).not.toBeInTheDocument()
  })

  it('closes on Escape', async () => {
    const { onClose } = open(pending())
    await userEvent.keyboard('{Escape}')
    expect(onClose).toHaveBeenCalled()
  })
})
