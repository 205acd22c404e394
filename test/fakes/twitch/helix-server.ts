/**
 * A fake Twitch Helix API on 127.0.0.1 (port 0), base `<url>` = `http://127.0.0.1:<port>/helix`
 * (TWITCH_API_URL). Answers `GET /users`, `POST /whispers`, `DELETE /moderation/chat` and
 * `POST /moderation/bans` as Twitch does, requires `Client-Id` + `Authorization: Bearer <token>`, and records
 * every call. User ids come from `twitchIdOf` so they match the fake IRC server's tags. EventSub
 * subscriptions and the auth server (`/oauth2/validate`, `/oauth2/token`, base `authUrl`) are in
 * helix-eventsub-routes.ts; pass `eventSub` (the fake WebSocket server) so websocket subscriptions work.
 * Channels, clips and `POST /chat/shoutouts` (with Twitch's rate limits) are in helix-creator-routes.ts; their
 * fixtures are `creators`.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { creatorRoute, type FakeClipFixture, type FakeCreators } from './helix-creator-routes.js'
import { authRoute, eventSubRoute, type FakeAuth } from './helix-eventsub-routes.js'
import type { FakeEventSubWs, FakeSubscription } from './eventsub-ws-server.js'
import { twitchIdOf } from './ids.js'

export interface HelixCall {
  readonly method: string
  /** Path below `/helix`, e.g. `/moderation/bans`. */
  readonly path: string
  readonly query: URLSearchParams
  readonly body: unknown
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
}

export interface FakeHelix {
  /** `http://127.0.0.1:<port>/helix` */
  readonly url: string
  readonly calls: HelixCall[]
  /** `http://127.0.0.1:<port>` (TWITCH_AUTH_URL) */
  readonly authUrl: string
  /** The EventSub subscriptions (shared with the fake WebSocket server when given). */
  readonly subscriptions: FakeSubscription[]
  /** The user token's scopes (mutable: tests take one away). */
  readonly auth: FakeAuth
  /**
   * How `POST /whispers` answers (mutable): `noVerifiedPhone` refuses every whisper as Twitch does for a
   * sender without a verified phone number (400); `blocked` recipients get 403.
   */
  readonly whispers: { noVerifiedPhone: boolean; blocked: Set<string> }
  /** Channels, clips and accepted shoutouts (mutable fixtures). */
  readonly creators: FakeCreators
  /** Calls other than user lookups (whispers and moderation), in order. */
  actions(): HelixCall[]
  close(): Promise<void>
}

export interface FakeHelixOptions {
  readonly clientId: string
  /** The one accepted user token, or a check (e.g. the fake auth server's `isValid`). */
  readonly token: string | ((token: string) => boolean)
  /** The user the token belongs to (default `waddlebot`). */
  readonly tokenLogin?: string
  /** The token's scopes (default: every scope EventSub needs). */
  readonly scopes?: readonly string[]
  readonly clientSecret?: string
  readonly eventSub?: FakeEventSubWs
  /** Logins `GET /users?id=` can name (others come back as `user<id>`). */
  readonly users?: readonly string[]
  /** Channel information by login. */
  readonly channels?: Record<string, { game_name: string; title: string }>
  /** Clips by login. */
  readonly clips?: Record<string, FakeClipFixture[]>
  /** Base of clip URLs and embeds (default `<server>/clips`). */
  readonly clipBase?: string
  /** The clock of the shoutout rate limits (default Date.now). */
  readonly now?: () => number
}

export const ALL_SCOPES = [
  'moderator:read:followers',
  'channel:read:subscriptions',
  'bits:read',
  'channel:read:redemptions',
  'moderator:manage:chat_messages',
  'moderator:manage:banned_users',
  'user:manage:whispers',
  'moderator:manage:shoutouts',
  'chat:read',
  'chat:edit',
]

/** 1×1 PNG (avatars and clip thumbnails of the fake). */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
)

/** `/clips/avatar/<login>.png`, `/clips/thumb/<id>.png` (a pixel) and `/clips/embed?clip=<id>` (a page naming the clip and its query). */
function clipPage(path: string, q: URLSearchParams, res: import('node:http').ServerResponse): void {
  if (path.endsWith('.png')) {
    res.writeHead(200, { 'content-type': 'image/png' })
    res.end(PIXEL)
    return
  }
  if (path === '/clips/embed') {
    const esc = (v: string) => v.replace(/[^\w.:=&-]/g, '')
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(
      `<!doctype html><title>clip</title><body data-clip="${esc(q.get('clip') ?? '')}" data-autoplay="${esc(q.get('autoplay') ?? '')}" data-parent="${esc(q.get('parent') ?? '')}">playing ${esc(q.get('clip') ?? '')}</body>`,
    )
    return
  }
  res.writeHead(404)
  res.end()
}

export async function startFakeHelix(options: FakeHelixOptions): Promise<FakeHelix> {
  const userToken = typeof options.token === 'string' ? options.token : ''
  const tokenOk = (bearer: string) =>
    typeof options.token === 'string' ? bearer === options.token : options.token(bearer)
  const calls: HelixCall[] = []
  const login = options.tokenLogin ?? 'waddlebot'
  const auth: FakeAuth = {
    clientId: options.clientId,
    clientSecret: options.clientSecret ?? 'fake-client-secret',
    token: userToken,
    tokenLogin: login,
    tokenUserId: twitchIdOf(login),
    scopes: [...(options.scopes ?? ALL_SCOPES)],
    appToken: `app-${userToken || 'token'}`,
  }
  const subscriptions = options.eventSub?.subscriptions ?? []
  const whispers = { noVerifiedPhone: false, blocked: new Set<string>() }
  const creators: FakeCreators = {
    channels: new Map(Object.entries(options.channels ?? {})),
    clips: new Map(Object.entries(options.clips ?? {})),
    shoutouts: [],
    missing: new Set(),
    offline: new Set(),
    clipBase: options.clipBase ?? '',
    now: options.now ?? Date.now,
  }
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (d: Buffer) => {
      raw += d.toString()
    })
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      const path = url.pathname.replace(/^\/helix/, '')
      let body: unknown
      try {
        body = raw === '' ? undefined : JSON.parse(raw)
      } catch {
        body = raw
      }
      calls.push({ method: req.method ?? 'GET', path, query: url.searchParams, body, headers: req.headers })
      const reply = (status: number, json?: unknown) => {
        res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' })
        res.end(json === undefined ? undefined : JSON.stringify(json))
      }
      const route = `${req.method} ${path}`
      if (req.method === 'GET' && path.startsWith('/clips/')) return clipPage(path, url.searchParams, res)
      if (authRoute(route, req.headers, raw, auth, reply)) return
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (req.headers['client-id'] !== options.clientId || (!tokenOk(bearer) && bearer !== auth.appToken)) {
        return reply(401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' })
      }
      const q = url.searchParams
      if (eventSubRoute(route, q, body, bearer, auth, subscriptions, options.eventSub, reply)) return
      if (creatorRoute(route, q, auth, creators, [...(options.users ?? []), login], reply)) return
      if (route === 'GET /users') {
        const logins = q
          .getAll('login')
          .filter((l) => !creators.missing.has(l.toLowerCase()))
          .map((l) => ({ id: twitchIdOf(l), login: l.toLowerCase() }))
        const known = new Map([...(options.users ?? []), login].map((l) => [twitchIdOf(l), l.toLowerCase()]))
        const ids = q.getAll('id').map((id) => ({ id, login: known.get(id) ?? `user${id}` }))
        return reply(200, {
          data: [...logins, ...ids].map((u) => ({
            ...u,
            display_name: u.login,
            type: '',
            broadcaster_type: '',
            description: '',
            profile_image_url: `${creators.clipBase}/avatar/${u.login}.png`,
            created_at: '2020-01-01T00:00:00Z',
          })),
        })
      }
      const missing = (names: string[]) => names.find((n) => !q.get(n))
      if (route === 'POST /whispers') {
        const m = missing(['from_user_id', 'to_user_id'])
        if (m || typeof (body as { message?: unknown })?.message !== 'string')
          return reply(400, { error: 'Bad Request', status: 400, message: `Missing ${m ?? 'message'}` })
        if (!auth.scopes.includes('user:manage:whispers'))
          return reply(401, { error: 'Unauthorized', status: 401, message: 'Missing scope: user:manage:whispers' })
        if (whispers.noVerifiedPhone)
          return reply(400, {
            error: 'Bad Request',
            status: 400,
            message: 'The user in the from_user_id query parameter must have a verified phone number.',
          })
        if (whispers.blocked.has(q.get('to_user_id')!))
          return reply(403, {
            error: 'Forbidden',
            status: 403,
            message: 'The user in the to_user_id query parameter is not allowed to receive whispers.',
          })
        return reply(204)
      }
      if (route === 'DELETE /moderation/chat') {
        const m = missing(['broadcaster_id', 'moderator_id'])
        return m ? reply(400, { error: 'Bad Request', status: 400, message: `Missing ${m}` }) : reply(204)
      }
      if (route === 'POST /moderation/bans') {
        const m = missing(['broadcaster_id', 'moderator_id'])
        const data = (body as { data?: { user_id?: string; duration?: number } })?.data
        if (m || !data?.user_id)
          return reply(400, { error: 'Bad Request', status: 400, message: `Missing ${m ?? 'data.user_id'}` })
        const now = new Date()
        const end = data.duration ? new Date(now.getTime() + data.duration * 1000).toISOString() : null
        return reply(200, {
          data: [
            {
              broadcaster_id: q.get('broadcaster_id'),
              moderator_id: q.get('moderator_id'),
              user_id: data.user_id,
              created_at: now.toISOString(),
              end_time: end,
            },
          ],
        })
      }
      return reply(404, { error: 'Not Found', status: 404, message: `no fake for ${route}` })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as AddressInfo).port
  if (!creators.clipBase) creators.clipBase = `http://127.0.0.1:${port}/clips`
  return {
    creators,
    url: `http://127.0.0.1:${port}/helix`,
    authUrl: `http://127.0.0.1:${port}`,
    subscriptions,
    auth,
    whispers,
    calls,
    actions: () =>
      calls.filter((c) => c.path !== '/users' && !c.path.startsWith('/eventsub') && !c.path.startsWith('/oauth2')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
