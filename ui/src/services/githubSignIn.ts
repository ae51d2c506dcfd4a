import { apiHref } from '@/utils/config'

/**
 * Where "Sign in with GitHub" sends the browser: the API's start route,
 * asking to come back to `target` (a path of this UI) once signed in. The
 * target is absolute because the API may live on another origin; the server
 * accepts this UI's origin when it is its own, auth.github.redirect_url's or
 * one of auth.github.allowed_redirect_origins. The dashboard itself needs no
 * parameter: the server's default landing page is the UI's root.
 */
export function githubSignInHref(target: string, origin: string = window.location.origin): string {
  const start = apiHref('/auth/github')
  if (target === '/' || !target.startsWith('/') || target.startsWith('//')) return start
  return `${start}?redirect=${encodeURIComponent(origin + target)}`
}
