import { QueryClient } from '@tanstack/react-query'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { createLive } from './live/createLive'
import { initTheme } from './stores/theme'
import { isApiError } from './utils/api'
import { loadRuntimeConfig } from './utils/config'
import './index.css'

initTheme()

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // The live socket keeps cached data current; refetching on focus or
      // every mount would only repeat what the socket already delivered.
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Client errors (4xx) will not fix themselves; retry only the rest.
      retry: (count, err) => !(isApiError(err) && err.status < 500) && count < 2,
    },
  },
})

// One socket for the whole tab, created before React renders anything.
const live = createLive(queryClient)

void loadRuntimeConfig().then(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App queryClient={queryClient} live={live} />
    </StrictMode>,
  )
})
