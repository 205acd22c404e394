/**
 * A fake Discord OAuth2 server on 127.0.0.1 (port 0) for the hub's login: `url` is DISCORD_OAUTH_URL (the
 * authorize page) and `apiUrl` is DISCORD_API_URL (token and `/users/@me`). The authorize page logs in the
 * user chosen with `loginAs()` at once (a browser following the redirect lands back on the hub's callback with
 * a code), the token endpoint checks the client's Basic credentials, the redirect URI and the PKCE S256
 * verifier, and `/users/@me` answers for the bearer token, as Discord does.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse as parseQuery } from 'node:querystring'

export interface FakeDiscordUser {
  readonly id: string
  readonly username: string
  readonly global_name?: string
}

export interface FakeDiscordOAuth {
  readonly url: string
  readonly apiUrl: string
  /** The user the next authorize request logs in. */
  loginAs(user: FakeDiscordUser): void
  /** Every request: `<METHOD> <path>`. */
  readonly calls: string[]
  close(): Promise<void>
}

const b64url = (b: Buffer) => b.toString('base64url')

export async function startFakeDiscordOAuth(client: { id: string; secret: string }): Promise<FakeDiscordOAuth> {
  let current: FakeDiscordUser | undefined
  const codes = new Map<string, { user: FakeDiscordUser; redirect: string; challenge: string | undefined }>()
  const tokens = new Map<string, FakeDiscordUser>()
  const calls: string[] = []
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    calls.push(`${req.method} ${u.pathname}`)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && u.pathname === '/oauth2/authorize') {
      const redirect = u.searchParams.get('redirect_uri') ?? ''
      if (u.searchParams.get('client_id') !== client.id || !redirect || !current)
        return json(400, { error: 'invalid_request' })
      const code = b64url(randomBytes(16))
      codes.set(code, { user: current, redirect, challenge: u.searchParams.get('code_challenge') ?? undefined })
      const back = new URL(redirect)
      back.searchParams.set('code', code)
      back.searchParams.set('state', u.searchParams.get('state') ?? '')
      res.writeHead(302, { location: back.toString() })
      return res.end()
    }
    if (req.method === 'POST' && u.pathname === '/api/oauth2/token') {
      let raw = ''
      req.on('data', (d: Buffer) => {
        raw += d.toString()
      })
      req.on('end', () => {
        const f = parseQuery(raw) as Record<string, string | undefined>
        const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64')
        if (req.headers.authorization !== `Basic ${basic}`) return json(401, { error: 'invalid_client' })
        const grant = codes.get(f.code ?? '')
        codes.delete(f.code ?? '')
        if (f.grant_type !== 'authorization_code' || !grant || grant.redirect !== f.redirect_uri)
          return json(400, { error: 'invalid_grant' })
        if (grant.challenge) {
          const proof = b64url(
            createHash('sha256')
              .update(f.code_verifier ?? '')
              .digest(),
          )
          if (proof !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'PKCE' })
        }
        const access = b64url(randomBytes(24))
        tokens.set(access, grant.user)
        json(200, { access_token: access, token_type: 'Bearer', expires_in: 604800, scope: 'identify' })
      })
      return
    }
    if (req.method === 'GET' && u.pathname === '/api/users/@me') {
      const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''))
      if (!user) return json(401, { message: '401: Unauthorized', code: 0 })
      return json(200, { id: user.id, username: user.username, global_name: user.global_name ?? null })
    }
    json(404, { message: '404: Not Found', code: 0 })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    apiUrl: `${url}/api`,
    calls,
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
