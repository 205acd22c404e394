/**
 * Routes: the public pages and login (in the first bundle), the member dashboard, community admin and platform
 * admin (each loaded on first use, so the first page stays small).
 */
import { lazy, Suspense } from 'react'
import { Layout } from './components/layout'
import { Loading, Notice } from './components/ui'
import { Login } from './pages/login'
import { Browse, CommunityPage, Home } from './pages/public'
import { Link, match, useLocation } from './router'
import { useSession } from './session'

const Dashboard = lazy(() => import('./pages/dashboard').then((m) => ({ default: m.Dashboard })))
const CommunityAdmin = lazy(() => import('./pages/community-admin').then((m) => ({ default: m.CommunityAdmin })))
const PlatformAdmin = lazy(() => import('./pages/platform-admin').then((m) => ({ default: m.PlatformAdmin })))

function RequireLogin(props: { children: React.ReactNode }) {
  const { me } = useSession()
  const path = useLocation()
  if (me === undefined) return <Loading />
  if (me === null)
    return (
      <Notice>
        Please{' '}
        <Link href={`/login?next=${encodeURIComponent(path)}`} className="font-semibold underline">
          log in
        </Link>{' '}
        to see this page.
      </Notice>
    )
  return <Suspense fallback={<Loading />}>{props.children}</Suspense>
}

type Route = [string, (p: Record<string, string>) => React.ReactNode]

const ROUTES: Route[] = [
  ['/', () => <Home />],
  ['/communities', () => <Browse />],
  ['/login', () => <Login />],
  [
    '/dashboard',
    () => (
      <RequireLogin>
        <Dashboard />
      </RequireLogin>
    ),
  ],
  [
    '/c/:community/admin/:section?',
    (p) => (
      <RequireLogin>
        <CommunityAdmin community={p.community!} section={p.section} />
      </RequireLogin>
    ),
  ],
  ['/c/:community', (p) => <CommunityPage community={p.community!} />],
  [
    '/admin/:section?',
    (p) => (
      <RequireLogin>
        <PlatformAdmin section={p.section} />
      </RequireLogin>
    ),
  ],
]

function Page() {
  const path = useLocation()
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path)
    if (params) return render(params)
  }
  return (
    <Notice kind="error">
      Page not found.{' '}
      <Link href="/" className="font-semibold underline">
        Go home
      </Link>
    </Notice>
  )
}

export function App() {
  return (
    <Layout>
      <Page />
    </Layout>
  )
}
