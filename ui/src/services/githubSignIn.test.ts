import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_API_URL, setRuntimeConfig } from '@/utils/config'
import { githubSignInHref } from './githubSignIn'

afterEach(() => setRuntimeConfig({ apiUrl: DEFAULT_API_URL }))

describe('githubSignInHref', () => {
  it('starts at the API without a target for the dashboard', () => {
    expect(githubSignInHref('/', 'https://ui.example.com')).toBe('/api/v1/auth/github')
  })

  it('asks to return to the requested page, query and hash included', () => {
    expect(githubSignInHref('/groups/g1?tab=history#top', 'https://ui.example.com')).toBe(
      '/api/v1/auth/github?redirect=' + encodeURIComponent('https://ui.example.com/groups/g1?tab=history#top'),
    )
  })

  it('names this UI by its origin when the API lives elsewhere', () => {
    setRuntimeConfig({ apiUrl: 'https://api.example.com/api/v1' })
    const href = new URL(githubSignInHref('/runners', 'https://ui.example.com'))
    expect(href.origin + href.pathname).toBe('https://api.example.com/api/v1/auth/github')
    expect(href.searchParams.get('redirect')).toBe('https://ui.example.com/runners')
  })

  it('never asks to return to something that is not a path of this UI', () => {
    for (const target of ['//evil.example/x', 'https://evil.example/', 'runners']) {
      expect(githubSignInHref(target, 'https://ui.example.com')).toBe('/api/v1/auth/github')
    }
  })
})
