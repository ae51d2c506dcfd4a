import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { pending } from '@/test/factories/job'
import { template } from '@/test/factories/template'
import { mockFetch, pathOf } from '@/test/fetchMock'
import { renderWithClient } from '@/test/render'
import { filterTemplates, TemplatesTab } from './TemplatesTab'

const geth = template({ id: 'geth', name: 'Geth', labels: { el: 'geth', network: 'hoodi' } })
const neth = template({ id: 'neth', name: 'Nethermind', labels: { el: 'nethermind', network: 'hoodi' }, default_inputs: { a: '1' } })
const bare = template({ id: 'bare', name: 'Bare', labels: {} })
const gone = template({ id: 'gone', name: 'Gone', in_config: false })

describe('filterTemplates', () => {
  const requeue = new Set(['geth'])
  it('combines label filters with AND', () => {
    expect(filterTemplates([geth, neth, bare], '', { network: 'hoodi' }, requeue).map((t) => t.id)).toEqual(['geth', 'neth'])
    expect(filterTemplates([geth, neth, bare], '', { network: 'hoodi', el: 'geth' }, requeue).map((t) => t.id)).toEqual(['geth'])
  })
  it('filters by status', () => {
    expect(filterTemplates([geth, neth, bare], 'unlabeled', {}, requeue).map((t) => t.id)).toEqual(['bare'])
    expect(filterTemplates([geth, neth, bare], 'auto-requeue', {}, requeue).map((t) => t.id)).toEqual(['geth'])
    expect(filterTemplates([geth, neth, bare], 'no-auto-requeue', {}, requeue).map((t) => t.id)).toEqual(['neth', 'bare'])
  })
})

describe('TemplatesTab', () => {
  it('bulk-adds selected templates, skipping ones that already requeue unless asked', async () => {
    const { calls } = mockFetch((c) => ({ status: 201, body: pending({ id: `new-${calls.length}`, template_id: (c.body as { template_id: string }).template_id }) }))
    const onFilterChange = vi.fn()
    renderWithClient(
      <TemplatesTab
        groupId="g1"
        templates={[geth, neth, gone]}
        autoRequeueTemplates={new Set(['geth'])}
        isAdmin
        status=""
        labels={{}}
        onFilterChange={onFilterChange}
        onAdd={() => {}}
      />,
    )
    expect(screen.getByTestId('templates-count')).toHaveTextContent('Showing 3 of 3 templates')
    await userEvent.click(screen.getByTestId('templates-select'))
    await userEvent.click(screen.getByText('Select all'))
    // Templates that are not in the config cannot be selected.
    expect(within(screen.getByTestId('bulk-bar')).getByText('2 selected')).toBeInTheDocument()
    await userEvent.click(screen.getByTestId('bulk-add-requeue'))
    const dialog = screen.getByTestId('confirm-dialog')
    expect(dialog).toHaveTextContent('1 template with an existing auto-requeue job will be skipped')
    await userEvent.click(within(dialog).getByTestId('confirm-ok'))
    await vi.waitFor(() => expect(screen.queryByTestId('confirm-dialog')).not.toBeInTheDocument())
    expect(calls.map((c) => [pathOf(c), c.body])).toEqual([
      ['/api/v1/groups/g1/queue', { template_id: 'neth', inputs: { a: '1' }, auto_requeue: true, requeue_limit: null }],
    ])
  })

  it('passes label filter clicks up to the URL state', async () => {
    const onFilterChange = vi.fn()
    renderWithClient(
      <TemplatesTab groupId="g1" templates={[geth, neth, bare]} autoRequeueTemplates={new Set()} isAdmin={false} status="" labels={{}} onFilterChange={onFilterChange} onAdd={() => {}} />,
    )
    await userEvent.click(screen.getByRole('button', { name: 'nethermind' }))
    expect(onFilterChange).toHaveBeenLastCalledWith('', { el: 'nethermind' })
    await userEvent.click(screen.getByRole('button', { name: 'unlabeled (1)' }))
    expect(onFilterChange).toHaveBeenLastCalledWith('unlabeled', {})
    expect(screen.queryByTestId('reload-templates')).not.toBeInTheDocument()
  })
})
