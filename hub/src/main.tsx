import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { prime } from './hooks'
import { SessionProvider } from './session'
import './styles.css'

// The home page's numbers are fetched while React starts.
if (location.pathname === '/') prime('/api/v1/public/home')

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
)
