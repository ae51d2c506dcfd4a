import { request } from '@/utils/api'

export type Role = 'admin' | 'readonly' | (string & {})

export interface User {
  id: string
  username: string
  role: Role
  auth_provider: 'basic' | 'github' | (string & {})
  github_id?: string
  created_at?: string
  updated_at?: string
}

export interface LoginResponse {
  token: string
  user: User
}

export interface Health {
  status: string
  config?: { auth?: { basic?: boolean; github?: boolean } }
}

export const isAdmin = (user: User | null | undefined): boolean => user?.role === 'admin'

export const fetchHealth = (signal?: AbortSignal) => request<Health>('/health', { root: true, signal })

export const fetchMe = (signal?: AbortSignal) => request<User>('/auth/me', { signal })

export const login = (username: string, password: string) =>
  request<LoginResponse>('/auth/login', { method: 'POST', body: { username, password } })

export const exchangeCode = (code: string) =>
  request<LoginResponse>('/auth/exchange', { method: 'POST', body: { code } })

export const logout = () => request<void>('/auth/logout', { method: 'POST', ignoreUnauthorized: true })
