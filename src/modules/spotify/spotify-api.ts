/**
 * Spotify clients over global fetch: the accounts service (authorize URL, code exchange, refresh) and the
 * Web API (search, queue, player). Base URLs come from `SPOTIFY_ACCOUNTS_URL` / `SPOTIFY_API_URL` so tests
 * point them at test/fakes/spotify-server.ts.
 */

export const DEFAULT_SPOTIFY_API_URL = 'https://api.spotify.com/v1'
export const DEFAULT_SPOTIFY_ACCOUNTS_URL = 'https://accounts.spotify.com'

/** The answer of `POST /api/token`. */
export interface TokenGrant {
  readonly access_token: string
  readonly expires_in: number
  readonly refresh_token?: string
  readonly scope?: string
}

/** The accounts service refused or failed: `error` is its OAuth error code (`invalid_grant`, …). */
export class SpotifyAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
  ) {
    super(message)
    this.name = 'SpotifyAuthError'
  }
}

/** A Web API call failed: `status` 0 means unreachable; `reason` is Spotify's (e.g. NO_ACTIVE_DEVICE). */
export class SpotifyApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message)
    this.name = 'SpotifyApiError'
  }
}

async function send(url: string | URL, init: RequestInit, timeoutMs: number): Promise<globalThis.Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw new SpotifyApiError(0, `Spotify unreachable: ${(error as Error).message}`)
  }
}

export interface AccountsOptions {
  readonly accountsUrl: string
  readonly clientId: string
  readonly clientSecret: string
  readonly timeoutMs: number
}

export class SpotifyAccounts {
  constructor(private readonly o: AccountsOptions) {}

  /** Where the streamer's browser goes to approve the scopes. */
  authorizeUrl(state: string, redirectUri: string, scopes: string): string {
    const url = new URL(`${this.o.accountsUrl.replace(/\/+$/, '')}/authorize`)
    const params = {
      response_type: 'code',
      client_id: this.o.clientId,
      scope: scopes,
      redirect_uri: redirectUri,
      state,
      show_dialog: 'true',
    }
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    return url.toString()
  }

  exchangeCode(code: string, redirectUri: string): Promise<TokenGrant> {
    return this.#token({ grant_type: 'authorization_code', code, redirect_uri: redirectUri })
  }

  refresh(refreshToken: string): Promise<TokenGrant> {
    return this.#token({ grant_type: 'refresh_token', refresh_token: refreshToken })
  }

  async #token(form: Record<string, string>): Promise<TokenGrant> {
    const basic = Buffer.from(`${this.o.clientId}:${this.o.clientSecret}`).toString('base64')
    const res = await send(
      `${this.o.accountsUrl.replace(/\/+$/, '')}/api/token`,
      {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      },
      this.o.timeoutMs,
    )
    const body = (await res.json().catch(() => ({}))) as Partial<TokenGrant> & {
      error?: string
      error_description?: string
    }
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new SpotifyAuthError(
        res.status,
        body.error ?? 'invalid_response',
        body.error_description ?? body.error ?? `accounts answered ${res.status}`,
      )
    }
    return {
      access_token: body.access_token,
      expires_in: Number(body.expires_in ?? 3600),
      ...(body.refresh_token ? { refresh_token: body.refresh_token } : {}),
      ...(body.scope !== undefined ? { scope: body.scope } : {}),
    }
  }
}

/** A track as the module shows it. */
export interface SpotifyTrack {
  readonly uri: string
  readonly name: string
  /** Artist names, comma separated. */
  readonly artists: string
  readonly artUrl: string | undefined
  readonly durationMs: number
  readonly url: string | undefined
}

export interface Playing {
  readonly track: SpotifyTrack
  readonly isPlaying: boolean
  readonly progressMs: number
}

export interface Device {
  readonly name: string
  readonly type: string
  readonly isActive: boolean
  readonly volume: number | null
}

interface TrackJson {
  uri: string
  name: string
  duration_ms: number
  artists?: { name: string }[]
  album?: { images?: { url: string; width?: number }[] }
  external_urls?: { spotify?: string }
}

function toTrack(t: TrackJson): SpotifyTrack {
  const images = [...(t.album?.images ?? [])].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))
  return {
    uri: t.uri,
    name: t.name,
    artists: (t.artists ?? []).map((a) => a.name).join(', ') || 'unknown artist',
    artUrl: images[0]?.url,
    durationMs: t.duration_ms,
    url: t.external_urls?.spotify,
  }
}

/** `token(force)` returns a usable access token; `force` asks for a fresh one after a 401. */
export type TokenSource = (force: boolean) => Promise<string>

export class SpotifyApi {
  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs: number,
    private readonly token: TokenSource,
  ) {}

  async #call<T>(method: string, path: string, query: Record<string, string> = {}): Promise<T | undefined> {
    const url = new URL(`${this.apiUrl.replace(/\/+$/, '')}${path}`)
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v)
    let res = await send(
      url,
      { method, headers: { authorization: `Bearer ${await this.token(false)}` } },
      this.timeoutMs,
    )
    if (res.status === 401)
      res = await send(url, { method, headers: { authorization: `Bearer ${await this.token(true)}` } }, this.timeoutMs)
    if (res.status === 204 || res.status === 202) return undefined
    const text = await res.text()
    const body = parseJson(text)
    if (!res.ok) {
      const err = (body as { error?: { message?: string; reason?: string } } | undefined)?.error
      throw new SpotifyApiError(res.status, err?.message ?? `Spotify answered ${res.status}`, err?.reason)
    }
    return body as T
  }

  async search(query: string, limit: number): Promise<SpotifyTrack[]> {
    const body = await this.#call<{ tracks?: { items?: TrackJson[] } }>('GET', '/search', {
      q: query,
      type: 'track',
      limit: String(limit),
    })
    return (body?.tracks?.items ?? []).map(toTrack)
  }

  async track(id: string): Promise<SpotifyTrack | undefined> {
    try {
      const body = await this.#call<TrackJson>('GET', `/tracks/${encodeURIComponent(id)}`)
      return body ? toTrack(body) : undefined
    } catch (error) {
      if (error instanceof SpotifyApiError && (error.status === 404 || error.status === 400)) return undefined
      throw error
    }
  }

  async addToQueue(uri: string): Promise<void> {
    await this.#call('POST', '/me/player/queue', { uri })
  }

  async currentlyPlaying(): Promise<Playing | undefined> {
    const body = await this.#call<{ is_playing?: boolean; progress_ms?: number; item?: TrackJson | null }>(
      'GET',
      '/me/player/currently-playing',
    )
    if (!body?.item?.uri) return undefined
    return { track: toTrack(body.item), isPlaying: body.is_playing === true, progressMs: body.progress_ms ?? 0 }
  }

  async pause(): Promise<void> {
    await this.#call('PUT', '/me/player/pause')
  }

  async resume(): Promise<void> {
    await this.#call('PUT', '/me/player/play')
  }

  async next(): Promise<void> {
    await this.#call('POST', '/me/player/next')
  }

  async devices(): Promise<Device[]> {
    const body = await this.#call<{
      devices?: { name: string; type: string; is_active: boolean; volume_percent?: number | null }[]
    }>('GET', '/me/player/devices')
    return (body?.devices ?? []).map((d) => ({
      name: d.name,
      type: d.type,
      isActive: d.is_active,
      volume: d.volume_percent ?? null,
    }))
  }
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

/** `spotify:track:<id>` or `https://open.spotify.com/[intl-xx/]track/<id>` → the id. */
export function extractTrackId(input: string): string | undefined {
  const text = input.trim()
  const uri = /^spotify:track:([A-Za-z0-9]{22})$/.exec(text)
  if (uri) return uri[1]
  return /^https?:\/\/open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/([A-Za-z0-9]{22})(?:[/?#].*)?$/i.exec(text)?.[1]
}
