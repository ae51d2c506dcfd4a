import { create } from 'zustand'

export type ThemeMode = 'system' | 'light' | 'dark'
export const THEME_MODES: readonly ThemeMode[] = ['system', 'light', 'dark']
const STORAGE_KEY = 'dispatchoor-theme'

function readMode(): ThemeMode {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    if (v === 'light' || v === 'dark' || v === 'system') return v
  } catch {
    // Storage unavailable: follow the system.
  }
  return 'system'
}

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches
}

/** Sets or removes the `dark` class that Tailwind's dark variant keys on. */
export function applyTheme(mode: ThemeMode, root: HTMLElement = document.documentElement): void {
  const dark = mode === 'dark' || (mode === 'system' && systemPrefersDark())
  root.classList.toggle('dark', dark)
  root.style.colorScheme = dark ? 'dark' : 'light'
}

interface ThemeState {
  mode: ThemeMode
  setMode: (mode: ThemeMode) => void
}

export const useTheme = create<ThemeState>((set) => ({
  mode: readMode(),
  setMode: (mode) => {
    try {
      localStorage.setItem(STORAGE_KEY, mode)
    } catch {
      // Not persisted; still applied for this tab.
    }
    applyTheme(mode)
    set({ mode })
  },
}))

/** Applies the stored theme and keeps "system" in step with the OS setting. */
export function initTheme(): void {
  applyTheme(useTheme.getState().mode)
  if (typeof window.matchMedia !== 'function') return
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (useTheme.getState().mode === 'system') applyTheme('system')
  })
}
