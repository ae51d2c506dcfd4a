import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { completed, dispatching, failed, manual, paused, pending, running, triggered } from '@/test/factories/job'
import { template } from '@/test/factories/template'
import type { Job } from '@/services/jobs'
import { JobCard, type JobActions } from './JobCard'

const NOW = Date.parse('2026-01-10T12:10:00Z')

function actions(): JobActions {
  return {
    cancel: vi.fn(async () => {}),
    setAutoRequeue: vi.fn(async () => {}),
    pause: vi.fn(async () => {}),
    resume: vi.fn(async () => {}),
    remove: vi.fn(async () => {}),
  }
}

function renderCard(job: Job, opts: { admin?: boolean; acts?: JobActions } = {}) {
  return render(
    <JobCard job={job} template={template()} isAdmin={opts.admin ?? true} actions={opts.acts ?? actions()} onOpenDetails={() => {}} now={NOW} />,
  )
}

describe('JobCard', () => {
  it('shows each status as its own pill', () => {
    const seen = new Set<string>()
    for (const j of [pending(), paused(), dispatching(), triggered(), running(), completed(), failed()]) {
      const { unmount } = renderCard(j)
      const pill = screen.getByTestId('job-status')
      seen.add(`${pill.dataset.status}:${pill.className}`)
      unmount()
    }
    expect(seen.size).toBe(7)
  })

  it('tells dispatching and triggered apart', () => {
    const { unmount } = renderCard(dispatching())
    expect(screen.getByTestId('job-status')).toHaveTextContent('dispatching')
    unmount()
    renderCard(triggered())
    expect(screen.getByTestId('job-status')).toHaveTextContent('triggered')
  })

  it('marks manual jobs and unchanged template jobs', () => {
    const { unmount } = renderCard(manual())
    expect(screen.getByTestId('badge-manual')).toBeInTheDocument()
    expect(screen.queryByTestId('badge-template')).not.toBeInTheDocument()
    unmount()
    renderCard(pending())
    expect(screen.getByTestId('badge-template')).toBeInTheDocument()
    expect(screen.queryByTestId('badge-manual')).not.toBeInTheDocument()
  })

  it('drops the Template badge once inputs or workflow differ', () => {
    renderCard(pending({ inputs: { network: 'sepolia' } }))
    expect(screen.queryByTestId('badge-template')).not.toBeInTheDocument()
  })

  it('shows auto-requeue progress', () => {
    renderCard(running({ auto_requeue: true, requeue_count: 2, requeue_limit: 5 }))
    expect(screen.getByTestId('badge-requeue')).toHaveTextContent('2/5')
  })

  it('shows why a pending job waits and when it should start', () => {
    renderCard(pending({ pending_reason: '3 jobs ahead', eta: '2026-01-10T12:14:00Z' }))
    expect(screen.getByTestId('pending-reason')).toHaveTextContent('3 jobs ahead')
    expect(screen.getByTestId('job-eta')).toHaveTextContent('starts in ~4m')
  })

  it('shows the runner of a running job and its duration', () => {
    renderCard(running())
    expect(screen.getByTestId('job-runner')).toHaveTextContent('runner-7')
    expect(screen.getByTestId('job-duration')).toHaveTextContent('9m 00s')
    expect(screen.getByTestId('job-run-link')).toHaveAttribute('href', 'https://github.com/o/r/actions/runs/42')
  })

  it('offers admin actions by status', () => {
    const { unmount } = renderCard(pending())
    expect(screen.getByTestId('job-pause')).toBeInTheDocument()
    expect(screen.getByTestId('job-remove')).toBeInTheDocument()
    expect(screen.queryByTestId('job-cancel')).not.toBeInTheDocument()
    unmount()
    const r = renderCard(running())
    expect(screen.getByTestId('job-cancel')).toBeInTheDocument()
    expect(screen.queryByTestId('job-remove')).not.toBeInTheDocument()
    r.unmount()
    renderCard(running(), { admin: false })
    expect(screen.queryByTestId('job-cancel')).not.toBeInTheDocument()
    expect(screen.getByTestId('job-details')).toBeInTheDocument()
  })

  it('confirms a cancel and warns when the job will come back', async () => {
    const acts = actions()
    const j = running({ auto_requeue: true })
    renderCard(j, { acts })
    await userEvent.click(screen.getByTestId('job-cancel'))
    const dialog = screen.getByTestId('confirm-dialog')
    expect(dialog).toHaveTextContent('runner-7')
    expect(dialog).toHaveTextContent('will reappear in the queue')
    await userEvent.click(within(dialog).getByTestId('confirm-ok'))
    expect(acts.cancel).toHaveBeenCalledWith(j)
    expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument()
  })

  it('enables auto-requeue at once but asks before disabling it', async () => {
    const acts = actions()
    const off = pending({ auto_requeue: false })
    const { unmount } = renderCard(off, { acts })
    await userEvent.click(screen.getByTestId('job-toggle-requeue'))
    expect(acts.setAutoRequeue).toHaveBeenCalledWith(off, true)
    unmount()

    const on = running({ auto_requeue: true })
    renderCard(on, { acts })
    await userEvent.click(screen.getByTestId('job-toggle-requeue'))
    expect(acts.setAutoRequeue).toHaveBeenCalledTimes(1)
    await userEvent.keyboard('{Enter}')
    expect(acts.setAutoRequeue).toHaveBeenLastCalledWith(on, false)
  })

  it('keeps the dialog open with the error when the action fails', async () => {
    const acts = actions()
    acts.remove = vi.fn(async () => {
      throw new Error('cannot remove job with status running')
    })
    renderCard(pending(), { acts })
    await userEvent.click(screen.getByTestId('job-remove'))
    await userEvent.click(screen.getByTestId('confirm-ok'))
    expect(await screen.findByRole('alert')).toHaveTextContent('cannot remove job with status running')
    expect(screen.getByTestId('confirm-dialog')).toBeInTheDocument()
  })
})
