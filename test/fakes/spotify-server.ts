/**
 * A fake Spotify (accounts + Web API) on 127.0.0.1 (port 0) for the spotify tests. Accounts: `GET /authorize`
 * (approves at once: redirects to redirect_uri with a code), `POST /api/token` (client basic auth;
 * authorization_code and refresh_token grants; `invalid_grant` for a revoked refresh token). API under `/v1`
 * with bearer checking (401 for an unknown or expired token): search, tracks, player queue, currently-playing,
 * pause/play/next, devices. Album art is served at `/art/<id>.png`. Every request is recorded.
 * Point the module at it with `SPOTIFY_ACCOUNTS_URL=<fake.url>` and `SPOTIFY_API_URL=<fake.apiUrl>`.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tinyPng } from './youtube-server.js'

export interface FakeTrack {
  readonly id: string
  readonly name: string
  readonly artists: readonly string[]
  readonly album: string
  readonly duration_ms: number
}

export const SPOTIFY_CATALOGUE: readonly FakeTrack[] = [
  {
    id: '4PTG3Z6ehGkBFwjybzWkR8',
    name: 'Never Gonna Give You Up',
    artists: ['Rick Astley'],
    album: 'Whenever You Need Somebody',
    duration_ms: 213_573,
  },
  {
    id: '2WfaOiMkCvy7F5fcp2zZ8L',
    name: 'Take on Me',
    artists: ['a-ha'],
    album: 'Hunting High and Low',
    duration_ms: 225_280,
  },
  {
    id: '7tFiyTwD0nx5a1eklYtX2J',
    name: 'Bohemian Rhapsody',
    artists: ['Queen'],
    album: 'A Night at the Opera',
    duration_ms: 354_320,
  },
  { id: '5T8EDUDqKcs6OSOwEsfqG7', name: "Don't Stop Me Now", artists: ['Queen'], album: 'Jazz', duration_ms: 209_413 },
  {
    id: '32OlwWuMpZ6b0aN2RZOeMS',
    name: 'Uptown Funk',
    artists: ['Mark Ronson', 'Bruno Mars'],
    album: 'Uptown Special',
    duration_ms: 269_666,
  },
]

export interface FakeDevice {
  id: string
  name: string
  type: string
  is_active: boolean
  volume_percent: number
}

export interface SpotifyRequest {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly headers: IncomingHttpHeaders
  /** Form or JSON body fields (token requests are form-encoded). */
  readonly form: Record<string, string>
}

export interface FakeSpotify {
  /** Accounts base URL (`SPOTIFY_ACCOUNTS_URL`). */
  readonly url: string
  /** Web API base URL (`SPOTIFY_API_URL`). */
  readonly apiUrl: string
  readonly requests: SpotifyRequest[]
  /** The player: what is queued, what plays, the devices. Tests may change it. */
  readonly player: {
    queue: string[]
    current: string | undefined
    progressMs: number
    isPlaying: boolean
    devices: FakeDevice[]
  }
  /** Access tokens issued so far, newest last. */
  readonly issued: { access: string; refresh: string; expiresAt: number }[]
  /** Every refresh token issued so far now answers `invalid_grant`. */
  revokeRefreshTokens(): void
  /** Every access token issued so far now answers 401 (as if it had expired early). */
  expireAccessTokens(): void
  artUrl(id: string): string
  close(): Promise<void>
}

export interface FakeSpotifyOptions {
  readonly clientId?: string
  readonly clientSecret?: string
  /** The fake's clock, shared with the module under test. */
  readonly now?: () => number
  /** `expires_in` of issued access tokens (default 3600 s). */
  readonly expiresIn?: number
}

const apiError = (status: number, message: string, reason?: string) => ({
  error: { status, message, ...(reason ? { reason } : {}) },
})

export async function startFakeSpotify(options: FakeSpotifyOptions = {}): Promise<FakeSpotify> {
  const clientId = options.clientId ?? 'fake-client-id'
  const clientSecret = options.clientSecret ?? 'fake-client-secret'
  const now = options.now ?? Date.now
  const expiresIn = options.expiresIn ?? 3600
  const requests: SpotifyRequest[] = []
  const codes = new Map<string, { redirectUri: string; scope: string }>()
  const refreshTokens = new Map<string, { revoked: boolean; scope: string }>()
  const accessTokens = new Map<string, { expiresAt: number; dead: boolean }>()
  const issued: FakeSpotify['issued'] = []
  const player: FakeSpotify['player'] = {
    queue: [],
    current: `spotify:track:${SPOTIFY_CATALOGUE[1]!.id}`,
    progressMs: 62_000,
    isPlaying: true,
    devices: [
      { id: 'dev-1', name: 'Streaming PC', type: 'Computer', is_active: true, volume_percent: 70 },
      { id: 'dev-2', name: 'Kitchen', type: 'Speaker', is_active: false, volume_percent: 40 },
    ],
  }
  let base = ''
  const trackJson = (t: FakeTrack) => ({
    id: t.id,
    uri: `spotify:track:${t.id}`,
    name: t.name,
    duration_ms: t.duration_ms,
    type: 'track',
    artists: t.artists.map((name) => ({ name })),
    external_urls: { spotify: `https://open.spotify.com/track/${t.id}` },
    album: {
      name: t.album,
      images: [
        { url: `${base}/art/${t.id}.png`, width: 640, height: 640 },
        { url: `${base}/art/${t.id}.png?s=64`, width: 64, height: 64 },
      ],
    },
  })
  const byUri = (uri: string | undefined) => SPOTIFY_CATALOGUE.find((t) => `spotify:track:${t.id}` === uri)
  const grant = (scope: string, refresh?: string) => {
    const access = `fake-access-${randomBytes(12).toString('hex')}`
    const refreshToken = refresh ?? `fake-refresh-${randomBytes(12).toString('hex')}`
    const expiresAt = now() + expiresIn * 1000
    accessTokens.set(access, { expiresAt, dead: false })
    if (!refresh) refreshTokens.set(refreshToken, { revoked: false, scope })
    issued.push({ access, refresh: refreshToken, expiresAt })
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope,
      ...(refresh ? {} : { refresh_token: refreshToken }),
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake')
      const raw = Buffer.concat(chunks).toString('utf8')
      const form =
        (req.headers['content-type'] ?? '').includes('json') && raw
          ? (JSON.parse(raw) as Record<string, string>)
          : Object.fromEntries(new URLSearchParams(raw))
      const recorded: SpotifyRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        form,
      }
      requests.push(recorded)
      handle(recorded, res)
    })
  })

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers })
    res.end(body === undefined ? undefined : JSON.stringify(body))
  }

  function handle(req: SpotifyRequest, res: ServerResponse) {
    const { path, query } = req
    if (req.method === 'GET' && path === '/authorize') {
      if (query.client_id !== clientId) return send(res, 400, { error: 'invalid_client' })
      if (query.response_type !== 'code' || !query.redirect_uri) return send(res, 400, { error: 'invalid_request' })
      const code = `fake-code-${randomBytes(8).toString('hex')}`
      codes.set(code, { redirectUri: query.redirect_uri, scope: query.scope ?? '' })
      const to = new URL(query.redirect_uri)
      to.searchParams.set('code', code)
      if (query.state) to.searchParams.set('state', query.state)
      return send(res, 302, undefined, { location: to.toString() })
    }
    if (req.method === 'POST' && path === '/api/token') {
      const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`
      if (req.headers.authorization !== expected)
        return send(res, 401, { error: 'invalid_client', error_description: 'Invalid client' })
      if (req.form.grant_type === 'authorization_code') {
        const issuedCode = codes.get(req.form.code ?? '')
        codes.delete(req.form.code ?? '')
        if (!issuedCode || issuedCode.redirectUri !== req.form.redirect_uri)
          return send(res, 400, { error: 'invalid_grant', error_description: 'Invalid authorization code' })
        return send(res, 200, grant(issuedCode.scope))
      }
      if (req.form.grant_type === 'refresh_token') {
        const known = refreshTokens.get(req.form.refresh_token ?? '')
        if (!known || known.revoked)
          return send(res, 400, { error: 'invalid_grant', error_description: 'Refresh token revoked' })
        return send(res, 200, grant(known.scope, req.form.refresh_token))
      }
      return send(res, 400, { error: 'unsupported_grant_type' })
    }
    const art = /^\/art\/(\w+)\.png$/.exec(path)
    if (req.method === 'GET' && art) {
      res.writeHead(200, { 'content-type': 'image/png' })
      return void res.end(tinyPng(30, 215, 96))
    }
    if (!path.startsWith('/v1/')) return send(res, 404, apiError(404, 'Service not found'))
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const access = token ? accessTokens.get(token) : undefined
    if (!access) return send(res, 401, apiError(401, 'Invalid access token'))
    if (access.dead || now() >= access.expiresAt) return send(res, 401, apiError(401, 'The access token expired'))
    api(req, res)
  }

  function api(req: SpotifyRequest, res: ServerResponse) {
    const route = `${req.method} ${req.path.slice(3)}`
    const active = player.devices.some((d) => d.is_active)
    const noDevice = () =>
      send(res, 404, apiError(404, 'Player command failed: No active device found', 'NO_ACTIVE_DEVICE'))
    if (route === 'GET /search') {
      if (req.query.type !== 'track' || !req.query.q) return send(res, 400, apiError(400, 'Bad search'))
      const words = req.query.q.toLowerCase().split(/\s+/)
      const items = SPOTIFY_CATALOGUE.filter((t) =>
        words.every((w) => `${t.name} ${t.artists.join(' ')}`.toLowerCase().includes(w)),
      )
      return send(res, 200, {
        tracks: { items: items.slice(0, Number(req.query.limit ?? 20)).map(trackJson), total: items.length },
      })
    }
    const track = /^GET \/tracks\/(\w+)$/.exec(route)
    if (track) {
      const t = SPOTIFY_CATALOGUE.find((x) => x.id === track[1])
      return t ? send(res, 200, trackJson(t)) : send(res, 404, apiError(404, 'Non existing id'))
    }
    if (route === 'POST /me/player/queue') {
      if (!byUri(req.query.uri)) return send(res, 400, apiError(400, 'Invalid track uri'))
      if (!active) return noDevice()
      player.queue.push(req.query.uri!)
      return send(res, 204)
    }
    if (route === 'GET /me/player/currently-playing') {
      const t = byUri(player.current)
      if (!t) return send(res, 204)
      return send(res, 200, {
        is_playing: player.isPlaying,
        progress_ms: player.progressMs,
        currently_playing_type: 'track',
        item: trackJson(t),
      })
    }
    if (route === 'PUT /me/player/pause' || route === 'PUT /me/player/play') {
      if (!active) return noDevice()
      player.isPlaying = route.endsWith('play')
      return send(res, 204)
    }
    if (route === 'POST /me/player/next') {
      if (!active) return noDevice()
      const i = SPOTIFY_CATALOGUE.findIndex((t) => `spotify:track:${t.id}` === player.current)
      player.current =
        player.queue.shift() ?? `spotify:track:${SPOTIFY_CATALOGUE[(i + 1) % SPOTIFY_CATALOGUE.length]!.id}`
      player.progressMs = 0
      return send(res, 204)
    }
    if (route === 'GET /me/player/devices') return send(res, 200, { devices: player.devices })
    return send(res, 404, apiError(404, `No route ${route}`))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: 0 }, resolve)
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    apiUrl: `${base}/v1`,
    requests,
    player,
    issued,
    revokeRefreshTokens: () => {
      for (const r of refreshTokens.values()) r.revoked = true
    },
    expireAccessTokens: () => {
      for (const a of accessTokens.values()) a.dead = true
    },
    artUrl: (id) => `${base}/art/${id}.png`,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
