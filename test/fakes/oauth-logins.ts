/**
 * Fake Twitch and Slack login servers on 127.0.0.1 (port 0) for the hub's OAuth, with the platforms' real paths
 * and answer shapes. Twitch: `GET /oauth2/authorize`, `POST /oauth2/token` (form with client_id and
 * client_secret), Helix `GET /helix/users` (bearer + Client-Id) → `{data: [{id, login, display_name}]}`.
 * Slack (Sign in with Slack, OpenID Connect): `GET /openid/connect/authorize`, `POST /api/openid.connect.token`
 * → `{ok, access_token, id_token}`, `GET /api/openid.connect.userInfo` → `{ok, sub, https://slack.com/user_id, name}`.
 * The authorize page logs in the user chosen with `loginAs()` at once and redirects back with a code and the state.
 * Codes are single-use and bound to the redirect URI; a PKCE challenge, when sent, is checked (S256).
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse as parseQuery } from 'node:querystring'

export interface FakeLoginUser {
  readonly id: string
  readonly login: string
  readonly display_name?: string
}

export interface FakeLoginServer {
  /** TWITCH_AUTH_URL / SLACK_OAUTH_URL. */
  readonly url: string
  /** TWITCH_API_URL (…/helix) / SLACK_API_URL (…/api). */
  readonly apiUrl: string
  loginAs(user: FakeLoginUser): void
  /** `<METHOD> <path>` of every request; the authorize queries too. */
  readonly calls: string[]
  readonly authorizeQueries: URLSearchParams[]
  close(): Promise<void>
}

type Platform = 'twitch' | 'slack'

const PATHS = {
  twitch: { authorize: '/oauth2/authorize', token: '/oauth2/token', me: '/helix/users', api: '/helix' },
  slack: {
    authorize: '/openid/connect/authorize',
    token: '/api/openid.connect.token',
    me: '/api/openid.connect.userInfo',
    api: '/api',
  },
} as const

function body(req: IncomingMessage): Promise<Record<string, string | undefined>> {
  return new Promise((done) => {
    let raw = ''
    req.on('data', (d: Buffer) => {
      raw += d.toString()
    })
    req.on('end', () => done(parseQuery(raw) as Record<string, string | undefined>))
  })
}

export async function startFakeLogin(
  platform: Platform,
  client: { id: string; secret: string },
): Promise<FakeLoginServer> {
  const paths = PATHS[platform]
  let current: FakeLoginUser | undefined
  const codes = new Map<string, { user: FakeLoginUser; redirect: string; challenge: string | undefined }>()
  const tokens = new Map<string, FakeLoginUser>()
  const calls: string[] = []
  const authorizeQueries: URLSearchParams[] = []
  const json = (res: ServerResponse, status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
  const fail = (res: ServerResponse, status: number, error: string) =>
    platform === 'slack' ? json(res, 200, { ok: false, error }) : json(res, status, { status, message: error })

  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    calls.push(`${req.method} ${u.pathname}`)
    if (req.method === 'GET' && u.pathname === paths.authorize) {
      authorizeQueries.push(u.searchParams)
      const redirect = u.searchParams.get('redirect_uri') ?? ''
      if (
        u.searchParams.get('client_id') !== client.id ||
        !redirect ||
        !current ||
        u.searchParams.get('response_type') !== 'code'
      )
        return fail(res, 400, 'invalid_request')
      const code = randomBytes(16).toString('base64url')
      codes.set(code, { user: current, redirect, challenge: u.searchParams.get('code_challenge') ?? undefined })
      const back = new URL(redirect)
      back.searchParams.set('code', code)
      back.searchParams.set('state', u.searchParams.get('state') ?? '')
      res.writeHead(302, { location: back.toString() })
      return res.end()
    }
    if (req.method === 'POST' && u.pathname === paths.token) {
      const f = await body(req)
      if (f.client_id !== client.id || f.client_secret !== client.secret) return fail(res, 403, 'invalid_client')
      const grant = codes.get(f.code ?? '')
      codes.delete(f.code ?? '')
      if (f.grant_type !== 'authorization_code' || !grant || grant.redirect !== f.redirect_uri)
        return fail(res, 400, 'invalid_grant')
      if (grant.challenge) {
        const proof = createHash('sha256')
          .update(f.code_verifier ?? '')
          .digest('base64url')
        if (proof !== grant.challenge) return fail(res, 400, 'invalid_grant')
      }
      const access = randomBytes(24).toString('base64url')
      tokens.set(access, grant.user)
      return platform === 'slack'
        ? json(res, 200, { ok: true, access_token: access, token_type: 'Bearer', id_token: 'x.y.z' })
        : json(res, 200, {
            access_token: access,
            refresh_token: 'r',
            expires_in: 14400,
            scope: [],
            token_type: 'bearer',
          })
    }
    if (req.method === 'GET' && u.pathname === paths.me) {
      const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''))
      if (!user) return fail(res, 401, 'invalid_auth')
      if (platform === 'twitch') {
        if (req.headers['client-id'] !== client.id) return fail(res, 401, 'Client-Id header required')
        return json(res, 200, {
          data: [
            {
              id: user.id,
              login: user.login,
              display_name: user.display_name ?? user.login,
              type: '',
              broadcaster_type: '',
            },
          ],
        })
      }
      return json(res, 200, {
        ok: true,
        sub: user.id,
        'https://slack.com/user_id': user.id,
        'https://slack.com/team_id': 'T1',
        name: user.display_name ?? user.login,
      })
    }
    fail(res, 404, 'not_found')
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    apiUrl: `${url}${paths.api}`,
    calls,
    authorizeQueries,
    loginAs(user) {
      current = user
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}
