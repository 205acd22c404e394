/** Log in with Discord, Twitch or Slack (OAuth through the server), or with a one-time password. */
import { useState } from 'react'
import { post, setCsrfToken } from '../api'
import { Button, Card, ErrorNotice, Loading, Notice, PageHeader, TextField } from '../components/ui'
import { useAction, useApi } from '../hooks'
import { navigate, usePageTitle } from '../router'
import { useSession } from '../session'

const NAMES: Record<string, string> = { discord: 'Discord', twitch: 'Twitch', slack: 'Slack' }

/** A path of this hub to go to after logging in (never another host). */
export function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next')
  return next && /^\/(?!\/)/.test(next) ? next : '/dashboard'
}

export function Login() {
  usePageTitle('Log in')
  const { me, refresh } = useSession()
  const providers = useApi<{ providers: { platform: string; url: string }[]; temp_password: boolean }>(
    '/api/v1/auth/providers',
  )
  const [user, setUser] = useState('')
  const [password, setPassword] = useState('')
  const [links, setLinks] = useState<{ platform: string; url: string }[] | null>(null)
  const login = useAction(async () => {
    const a = await post<{
      csrf_token: string
      oauth_required: boolean
      link_urls: { platform: string; url: string }[]
    }>('/api/v1/auth/temp-password', { user, password })
    setCsrfToken(a.csrf_token)
    await refresh()
    if (a.oauth_required) setLinks(a.link_urls)
    else navigate(nextPath())
  })
  const next = encodeURIComponent(nextPath())
  return (
    <div className="mx-auto max-w-md">
      <PageHeader title="Log in" />
      {me && !links && <Notice>You are logged in as {me.display_name}.</Notice>}
      {links && (
        <Notice>
          Link an account to finish:{' '}
          {links.map((l) => (
            <a key={l.platform} href={l.url} className="mr-2 font-semibold underline">
              {NAMES[l.platform] ?? l.platform}
            </a>
          ))}
        </Notice>
      )}
      <div className="flex flex-col gap-4">
        <Card title="With your chat account">
          {providers.loading && <Loading />}
          <ErrorNotice error={providers.error} />
          {providers.data?.providers.length === 0 && (
            <p className="text-sm text-slate-700">No OAuth login is configured.</p>
          )}
          <ul className="flex flex-col gap-2">
            {providers.data?.providers.map((p) => (
              <li key={p.platform}>
                <a
                  href={`/api/v1/auth/oauth/${p.platform}?next=${next}`}
                  className="block rounded-md bg-indigo-700 px-4 py-2 text-center font-semibold text-white hover:bg-indigo-800"
                >
                  Log in with {NAMES[p.platform] ?? p.platform}
                </a>
              </li>
            ))}
          </ul>
        </Card>
        {providers.data?.temp_password !== false && (
          <Card title="With a one-time password">
            <form
              className="flex flex-col gap-3"
              onSubmit={(e) => {
                e.preventDefault()
                void login.run()
              }}
            >
              <TextField
                label="User"
                hint="platform:name, e.g. twitch:alice"
                autoComplete="username"
                required
                value={user}
                onChange={(e) => setUser(e.target.value)}
              />
              <TextField
                label="One-time password"
                type="password"
                autoComplete="one-time-code"
                required
                minLength={8}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
              <ErrorNotice error={login.error} />
              <Button type="submit" busy={login.busy}>
                Log in
              </Button>
            </form>
          </Card>
        )}
      </div>
    </div>
  )
}
