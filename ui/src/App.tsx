import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { lazy, Suspense, useEffect } from 'react'
import { BrowserRouter, Route, Routes } from 'react-router'
import { LoadingBlock } from '@/components/Spinner'
import { LiveProvider } from '@/live/LiveProvider'
import type { LiveSocket } from '@/live/socket'
import { useAuth } from '@/stores/auth'
import { UNAUTHORIZED_EVENT } from '@/utils/api'
import { bootstrapAuth } from '@/routes/auth'
import { RequireAdmin, RequireAuth } from '@/routes/RequireAuth'
import { Layout } from '@/routes/Layout'
import { LoginPage } from '@/routes/LoginPage'
import { DashboardPage } from '@/routes/DashboardPage'
import { GroupPage } from '@/routes/group/GroupPage'
import { RunnersPage } from '@/routes/RunnersPage'
import { NotFoundPage } from '@/routes/NotFoundPage'

// Rarely visited pages load on demand and stay out of the first bundle.
const ApiDocsPage = lazy(() => import('@/routes/ApiDocsPage'))
const AuditPage = lazy(() => import('@/routes/AuditPage'))

interface Props {
  queryClient: QueryClient
  live: LiveSocket
}

export function App({ queryClient, live }: Props) {
  const status = useAuth((s) => s.status)

  useEffect(() => {
    void bootstrapAuth()
    const onUnauthorized = () => {
      useAuth.getState().signOut()
      queryClient.clear()
    }
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized)
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized)
  }, [queryClient])

  return (
    <QueryClientProvider client={queryClient}>
      <LiveProvider live={live} active={status === 'authenticated'}>
        <BrowserRouter>
          <Routes>
            <Route path="/login" element={<LoginPage />} />
            <Route
              element={
                <RequireAuth>
                  <Layout />
                </RequireAuth>
              }
            >
              <Route index element={<DashboardPage />} />
              <Route path="groups/:id" element={<GroupPage />} />
              <Route path="runners" element={<RunnersPage />} />
              <Route
                path="audit"
                element={
                  <RequireAdmin>
                    <Suspense fallback={<LoadingBlock />}>
                      <AuditPage />
                    </Suspense>
                  </RequireAdmin>
                }
              />
              <Route
                path="api-docs"
                element={
                  <Suspense fallback={<LoadingBlock />}>
                    <ApiDocsPage />
                  </Suspense>
                }
              />
              <Route path="*" element={<NotFoundPage />} />
            </Route>
          </Routes>
        </BrowserRouter>
      </LiveProvider>
    </QueryClientProvider>
  )
}
