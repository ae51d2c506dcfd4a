import { afterEach, describe, expect, it, vi } from 'vitest'
import { applyTheme, useTheme } from './theme'

function mockSystem(dark: boolean) {
  vi.stubGlobal('matchMedia', (q: string) => ({ matches: dark && q.includes('dark'), addEventListener: () => {}, removeEventListener: () => {} }))
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.documentElement.classList.remove('dark')
})

describe('theme', () => {
  it('follows the system by default', () => {
    mockSystem(true)
    applyTheme('system')
    expect(document.documentElement).toHaveClass('dark')
    mockSystem(false)
    applyTheme('system')
    expect(document.documentElement).not.toHaveClass('dark')
  })

  it('applies and persists an explicit choice', () => {
    mockSystem(true)
    useTheme.getState().setMode('light')
    expect(document.documentElement).not.toHaveClass('dark')
    expect(localStorage.getItem('dispatchoor-theme')).toBe('light')
    useTheme.getState().setMode('dark')
    expect(document.documentElement).toHaveClass('dark')
    expect(useTheme.getState().mode).toBe('dark')
  })
})
