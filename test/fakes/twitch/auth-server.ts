/**
 * A fake Twitch OAuth server (`id.twitch.tv`) on 127.0.0.1 (port 0), base `url` = TWITCH_AUTH_URL:
 * `POST /oauth2/device`, `POST /oauth2/token` (device_code and refresh_token grants) and
 * `GET /oauth2/validate`, answering as Twitch does (`400 {status, message: "authorization_pending"}` …).
 * The test plays the user: `approve()` or `deny()` the pending code, or let it expire with `expire()`;
 * `autoApprove` approves on the first poll. Refresh tokens work once, like a public client's; `revoke()`
 * makes an access token invalid (Helix and validate answer 401).
 */
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse as parseQuery } from 'node:querystring'

export interface FakeTwitchAuthOptions {
  readonly clientId: string
  readonly login?: string
  readonly userId?: string
  /** Seconds an access token lives (default 14 400). */
  readonly accessTtl?: number
  /** Poll interval the device endpoint asks for, in seconds (default 0: tests poll at once). */
  readonly interval?: number
  /** Approve the code as soon as it is polled. */
  readonly autoApprove?: boolean
  /** Answer `slow_down` to this many polls first. */
  readonly slowDowns?: number
}

export interface FakeTwitchAuth {
  readonly url: string
  /** Every request: `<METHOD> <path> <grant_type?>`. */
  readonly calls: string[]
  approve(): void
  deny(): void
  expire(): void
  revoke(accessToken: string): void
  isValid(accessToken: string): boolean
  /** Access tokens issued so far, oldest first. */
  readonly issued: string[]
  close(): Promise<void>
}

export async function startFakeTwitchAuth(o: FakeTwitchAuthOptions): Promise<FakeTwitchAuth> {
  const login = o.login ?? 'waddlebot'
  const userId = o.userId ?? '4242'
  const calls: string[] = []
  const issued: string[] = []
  const access = new Map<string, { scopes: string[]; expiresAt: number }>()
  const refresh = new Map<string, string[]>()
  let device:
    | { code: string; user: string; scopes: string[]; state: 'pending' | 'approved' | 'denied' | 'expired' }
    | undefined
  let slowDowns = o.slowDowns ?? 0
  const token = () => randomBytes(15).toString('hex')
  const issue = (scopes: string[]) => {
    const a = token()
    const r = token()
    access.set(a, { scopes, expiresAt: Date.now() + (o.accessTtl ?? 14_400) * 1000 })
    refresh.set(r, scopes)
    issued.push(a)
    return { access_token: a, refresh_token: r, expires_in: o.accessTtl ?? 14_400, scope: scopes, token_type: 'bearer' }
  }

  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (d: Buffer) => {
      raw += d.toString()
    })
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]
      const form = parseQuery(raw) as Record<string, string | undefined>
      calls.push(`${req.method} ${path}${form.grant_type ? ` ${form.grant_type}` : ''}`)
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      const fail = (status: number, message: string) => reply(status, { status, message })
      if (req.method === 'POST' && path === '/oauth2/device') {
        if (form.client_id !== o.clientId) return fail(400, 'invalid client')
        device = {
          code: token(),
          user: randomBytes(4).toString('hex').toUpperCase(),
          scopes: String(form.scopes ?? '')
            .split(' ')
            .filter(Boolean),
          state: 'pending',
        }
        return reply(200, {
          device_code: device.code,
          user_code: device.user,
          verification_uri: `${url}/activate?device-code=${device.user}`,
          expires_in: 1800,
          interval: o.interval ?? 0,
        })
      }
      if (req.method === 'POST' && path === '/oauth2/token') {
        if (form.client_id !== o.clientId) return fail(400, 'invalid client')
        if (form.grant_type === 'urn:ietf:params:oauth:grant-type:device_code') {
          if (!device || form.device_code !== device.code) return fail(400, 'invalid device code')
          if (slowDowns > 0) {
            slowDowns--
            return fail(400, 'slow_down')
          }
          if (o.autoApprove && device.state === 'pending') device.state = 'approved'
          if (device.state === 'pending') return fail(400, 'authorization_pending')
          if (device.state === 'denied') return fail(400, 'access_denied')
          if (device.state === 'expired') return fail(400, 'invalid device code')
          const scopes = device.scopes
          device = undefined
          return reply(200, issue(scopes))
        }
        if (form.grant_type === 'refresh_token') {
          const scopes = refresh.get(String(form.refresh_token))
          if (!scopes) return fail(400, 'Invalid refresh token')
          refresh.delete(String(form.refresh_token))
          return reply(200, issue(scopes))
        }
        return fail(400, 'unsupported grant type')
      }
      if (req.method === 'GET' && path === '/oauth2/validate') {
        const t = /^OAuth (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1]
        const info = t ? access.get(t) : undefined
        if (!info || info.expiresAt <= Date.now()) return fail(401, 'invalid access token')
        return reply(200, {
          client_id: o.clientId,
          login,
          scopes: info.scopes,
          user_id: userId,
          expires_in: Math.round((info.expiresAt - Date.now()) / 1000),
        })
      }
      return fail(404, 'Not Found')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const set = (state: 'approved' | 'denied' | 'expired') => {
    if (device) device.state = state
  }
  return {
    url,
    calls,
    issued,
    approve: () => set('approved'),
    deny: () => set('denied'),
    expire: () => set('expired'),
    revoke: (t) => void access.delete(t),
    isValid: (t) => (access.get(t)?.expiresAt ?? 0) > Date.now(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
