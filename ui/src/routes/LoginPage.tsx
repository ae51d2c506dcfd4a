import { useQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Navigate, useLocation, type Location } from 'react-router'
import { Button } from '@/components/Button'
import { Icon } from '@/components/Icon'
import { Logo } from '@/components/Logo'
import { Spinner } from '@/components/Spinner'
import { ThemeToggle } from '@/components/ThemeToggle'
import { fetchHealth, login } from '@/services/auth'
import { githubSignInHref } from '@/services/githubSignIn'
import { queryKeys } from '@/services/keys'
import { useAuth } from '@/stores/auth'
import { errorText } from '@/utils/api'

const inputClass =
  'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-xs focus:border-sky-500 focus:ring-2 focus:ring-sky-500/40 focus:outline-none dark:border-zinc-700 dark:bg-zinc-900'

export function LoginPage() {
  const status = useAuth((s) => s.status)
  const signIn = useAuth((s) => s.signIn)
  const location = useLocation()
  const from = (location.state as { from?: Location } | null)?.from
  const target = from ? from.pathname + from.search + from.hash : '/'

  // Poll health slowly, and quickly while the API cannot be reached, so the
  // page recovers by itself once the server is up.
  const health = useQuery({
    queryKey: queryKeys.health(),
    queryFn: ({ signal }) => fetchHealth(signal),
    retry: false,
    refetchInterval: (q) => (q.state.status === 'error' ? 5_000 : 30_000),
  })

  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  if (status === 'authenticated') return <Navigate to={target} replace />

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const res = await login(username, password)
      signIn(res.token, res.user)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  const auth = health.data?.config?.auth
  const basic = !!auth?.basic
  const github = !!auth?.github

  return (
    <div className="flex min-h-dvh items-center justify-center p-4">
      <div className="absolute top-3 right-3">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center gap-2 text-center">
          <Logo className="h-12 w-12" />
          <h1 className="text-2xl font-semibold">Dispatchoor</h1>
          <p className="text-sm text-zinc-500">Sign in to manage your workflows</p>
        </div>
        <div className="rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          {health.isPending && (
            <p className="flex items-center justify-center gap-2 text-sm text-zinc-500" data-testid="login-connecting">
              <Spinner /> Connecting to API...
            </p>
          )}
          {health.isError && (
            <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-300" data-testid="login-api-error">
              Unable to connect to API server. Retrying…
            </div>
          )}
          {health.isSuccess && (
            <div className="space-y-4">
              {basic && (
                <form onSubmit={(e) => void submit(e)} className="space-y-3" data-testid="login-form">
                  <label className="block text-sm font-medium">
                    Username
                    <input
                      className={inputClass}
                      autoComplete="username"
                      value={username}
                      onChange={(e) => setUsername(e.target.value)}
                      required
                      autoFocus
                      data-testid="login-username"
                    />
                  </label>
                  <label className="block text-sm font-medium">
                    Password
                    <input
                      className={inputClass}
                      type="password"
                      autoComplete="current-password"
                      value={password}
                      onChange={(e) => setPassword(e.target.value)}
                      required
                      data-testid="login-password"
                    />
                  </label>
                  {error && (
                    <p role="alert" className="text-sm text-red-600 dark:text-red-400" data-testid="login-error">
                      {error}
                    </p>
                  )}
                  <Button type="submit" variant="primary" size="md" className="w-full" disabled={busy} data-testid="login-submit">
                    {busy ? 'Signing in…' : 'Sign in'}
                  </Button>
                </form>
              )}
              {basic && github && (
                <div className="flex items-center gap-3 text-xs text-zinc-500">
                  <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                  Or continue with
                  <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
                </div>
              )}
              {github && (
                <Button
                  variant="secondary"
                  size="md"
                  className="w-full"
                  onClick={() => window.location.assign(githubSignInHref(target))}
                  data-testid="login-github"
                >
                  <Icon name="github" /> Sign in with GitHub
                </Button>
              )}
              {!basic && !github && (
                <p className="text-center text-sm text-zinc-500" data-testid="login-no-methods">
                  No authentication methods configured
                </p>
              )}
            </div>
          )}
        </div>
      </div>
    </div>
  )
}
