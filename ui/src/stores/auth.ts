import { create } from 'zustand'
import type { User } from '@/services/auth'
import { clearToken, setToken } from '@/utils/token'

export type AuthStatus = 'checking' | 'authenticated' | 'anonymous'

interface AuthState {
  status: AuthStatus
  user: User | null
  /** Stores a fresh login: the token for API and socket calls, the user for the UI. */
  signIn: (token: string, user: User) => void
  /** The session is valid (cookie or stored token) and belongs to user. */
  setUser: (user: User) => void
  /** Forgets the session locally; the server side is the caller's business. */
  signOut: () => void
}

export const useAuth = create<AuthState>((set) => ({
  status: 'checking',
  user: null,
  signIn: (token, user) => {
    setToken(token)
    set({ status: 'authenticated', user })
  },
  setUser: (user) => set({ status: 'authenticated', user }),
  signOut: () => {
    clearToken()
    set({ status: 'anonymous', user: null })
  },
}))
