/** Routes: the public pages, login, the member dashboard, community admin and platform admin. */
import { Layout } from './components/layout'
import { Loading, Notice } from './components/ui'
import { CommunityAdmin } from './pages/community-admin'
import { Dashboard } from './pages/dashboard'
import { Login } from './pages/login'
import { PlatformAdmin } from './pages/platform-admin'
import { Browse, CommunityPage, Home } from './pages/public'
import { Link, match, useLocation } from './router'
import { useSession } from './session'

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
  return <>{props.children}</>
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
