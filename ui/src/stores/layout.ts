import { create } from 'zustand'

const STORAGE_KEY = 'dispatchoor-ui'

function readCollapsed(): boolean {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}').sidebarCollapsed === true
  } catch {
    return false
  }
}

interface LayoutState {
  /** Desktop: the sidebar is hidden. Persisted. */
  sidebarCollapsed: boolean
  /** Phone width: the sidebar drawer is open. Never persisted. */
  drawerOpen: boolean
  toggleSidebar: () => void
  setDrawerOpen: (open: boolean) => void
}

export const useLayout = create<LayoutState>((set, get) => ({
  sidebarCollapsed: readCollapsed(),
  drawerOpen: false,
  toggleSidebar: () => {
    const sidebarCollapsed = !get().sidebarCollapsed
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify({ sidebarCollapsed }))
    } catch {
      // Not persisted.
    }
    set({ sidebarCollapsed })
  },
  setDrawerOpen: (drawerOpen) => set({ drawerOpen }),
}))
