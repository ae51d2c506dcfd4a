import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { template } from '@/test/factories/template'
import { AddFromTemplateDialog } from './AddFromTemplateDialog'
import { ManualJobDialog } from './ManualJobDialog'

const geth = template({ id: 'geth', name: 'Geth sync', default_inputs: { network: 'hoodi', client: 'geth' }, labels: { el: 'geth' } })
const neth = template({ id: 'neth', name: 'Nethermind sync', default_inputs: {}, labels: { el: 'nethermind' } })
const old = template({ id: 'old', name: 'Old one', in_config: false })

describe('AddFromTemplateDialog', () => {
  it('lists in-config templates, searches labels, and submits merged inputs with a limit', async () => {
    const onSubmit = vi.fn(async () => {})
    const onClose = vi.fn()
    render(<AddFromTemplateDialog templates={[geth, neth, old]} autoRequeueTemplates={new Set()} onSubmit={onSubmit} onClose={onClose} />)
    expect(screen.getAllByTestId('template-option')).toHaveLength(2)
    await userEvent.type(screen.getByTestId('template-search'), 'nethermind')
    expect(screen.getAllByTestId('template-option').map((o) => o.textContent)).toEqual([expect.stringContaining('Nethermind sync')])
    await userEvent.clear(screen.getByTestId('template-search'))
    await userEvent.click(screen.getByText('Geth sync'))
    const network = screen.getByDisplayValue('hoodi')
    await userEvent.clear(network)
    await userEvent.type(network, 'sepolia')
    await userEvent.click(screen.getByTestId('requeue-enabled'))
    await userEvent.click(screen.getByTestId('requeue-limited'))
    await userEvent.click(screen.getByTestId('add-job-submit'))
    expect(onSubmit).toHaveBeenCalledWith({
      template_id: 'geth',
      inputs: { network: 'sepolia', client: 'geth' },
      auto_requeue: true,
      requeue_limit: 5,
    })
    expect(onClose).toHaveBeenCalled()
  })

  it('requires confirmation when the template already has an auto-requeue job', async () => {
    const onSubmit = vi.fn(async () => {})
    render(<AddFromTemplateDialog templates={[geth]} initialTemplateId="geth" autoRequeueTemplates={new Set(['geth'])} onSubmit={onSubmit} onClose={() => {}} />)
    expect(screen.getByTestId('duplicate-warning')).toBeInTheDocument()
    expect(screen.getByTestId('add-job-submit')).toBeDisabled()
    await userEvent.click(screen.getByLabelText('I understand, add anyway'))
    await userEvent.click(screen.getByTestId('add-job-submit'))
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ template_id: 'geth', auto_requeue: false, requeue_limit: null }))
  })
})

describe('ManualJobDialog', () => {
  it('prepopulates from a template without linking it, and submits without template_id', async () => {
    const onSubmit = vi.fn(async () => {})
    render(<ManualJobDialog templates={[geth]} onSubmit={onSubmit} onClose={() => {}} />)
    await userEvent.click(screen.getByText('Prepopulate from Template'))
    await userEvent.click(screen.getByText('Geth sync'))
    expect(screen.getByTestId('manual-owner')).toHaveValue('ethpandaops')
    expect(screen.getByTestId('manual-name')).toHaveValue('')
    await userEvent.type(screen.getByTestId('manual-name'), 'One-off')
    await userEvent.click(screen.getByTestId('manual-job-submit'))
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'One-off',
      owner: 'ethpandaops',
      repo: 'syncoor-tests',
      workflow_id: 'syncoor.yaml',
      ref: 'master',
      inputs: { network: 'hoodi', client: 'geth' },
      labels: { el: 'geth' },
      auto_requeue: false,
      requeue_limit: null,
    })
  })

  it('refuses to submit without the required fields', async () => {
    const onSubmit = vi.fn(async () => {})
    render(<ManualJobDialog templates={[]} onSubmit={onSubmit} onClose={() => {}} />)
    await userEvent.type(screen.getByTestId('manual-owner'), 'octo')
    await userEvent.click(screen.getByTestId('manual-job-submit'))
    expect(onSubmit).not.toHaveBeenCalled()
    expect(screen.getByRole('alert')).toHaveTextContent('Required: Repository, Workflow File')
  })
})
