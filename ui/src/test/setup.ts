import '@testing-library/jest-dom/vitest'
import { cleanup } from '@testing-library/react'
import { afterEach, vi } from 'vitest'

// Pure logic tests run in the node environment (much faster to start); only
// DOM tests have a document and storage to reset.
const hasDom = typeof document !== 'undefined'

afterEach(() => {
  vi.unstubAllGlobals()
  if (!hasDom) return
  cleanup()
  localStorage.clear()
})
