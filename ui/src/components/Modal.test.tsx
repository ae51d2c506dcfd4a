import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { Modal } from './Modal'

function Harness({ onClose = () => {} }: { onClose?: () => void }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button onClick={() => setOpen(true)}>open</button>
      <Modal
        open={open}
        title="Dialog"
        onClose={() => {
          onClose()
          setOpen(false)
        }}
      >
        <input aria-label="first" />
        <button>last</button>
      </Modal>
    </>
  )
}

describe('Modal', () => {
  it('moves focus in, traps Tab, and returns focus to the opener on Escape', async () => {
    const onClose = vi.fn()
    render(<Harness onClose={onClose} />)
    const opener = screen.getByText('open')
    await userEvent.click(opener)
    const dialog = screen.getByRole('dialog', { name: 'Dialog' })
    expect(dialog).toContainElement(document.activeElement as HTMLElement)
    expect(screen.getByTestId('dialog-close')).toHaveFocus()
    await userEvent.tab()
    expect(screen.getByLabelText('first')).toHaveFocus()
    await userEvent.tab()
    expect(screen.getByText('last')).toHaveFocus()
    await userEvent.tab()
    expect(screen.getByTestId('dialog-close')).toHaveFocus()
    await userEvent.tab({ shift: true })
    expect(screen.getByText('last')).toHaveFocus()
    await userEvent.keyboard('{Escape}')
    expect(onClose).toHaveBeenCalledTimes(1)
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument()
    expect(opener).toHaveFocus()
  })

  it('closes only the innermost dialog on Escape', async () => {
    const outer = vi.fn()
    const inner = vi.fn()
    function Nested() {
      const [confirming, setConfirming] = useState(false)
      return (
        <Modal open title="Outer" onClose={outer}>
          <button onClick={() => setConfirming(true)}>ask</button>
          <Modal
            open={confirming}
            title="Inner"
            onClose={() => {
              inner()
              setConfirming(false)
            }}
          >
            <button>ok</button>
          </Modal>
        </Modal>
      )
    }
    render(<Nested />)
    await userEvent.click(screen.getByText('ask'))
    expect(screen.getByRole('dialog', { name: 'Inner' })).toContainElement(document.activeElement as HTMLElement)
    await userEvent.keyboard('{Escape}')
    expect(inner).toHaveBeenCalledTimes(1)
    expect(outer).not.toHaveBeenCalled()
    expect(screen.getByRole('dialog', { name: 'Outer' })).toBeInTheDocument()
    await userEvent.keyboard('{Escape}')
    expect(outer).toHaveBeenCalledTimes(1)
  })
})
