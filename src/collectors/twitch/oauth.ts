/**
 * Twitch's OAuth endpoints (base `TWITCH_AUTH_URL`, default https://id.twitch.tv): the device code flow
 * (`POST /oauth2/device`, then `POST /oauth2/token` with the device_code grant), refresh
 * (`POST /oauth2/token` with grant_type refresh_token) and `GET /oauth2/validate`. Used by
 * `waddlebot auth twitch` and by the collector's token manager (token-store.ts).
 */

export const DEFAULT_TWITCH_AUTH_URL = 'https://id.twitch.tv'

/** What the bot asks for: chat, whispers, the moderation the collector carries out, and Twitch's /shoutout. */
export const TWITCH_BOT_SCOPES = [
  'chat:read',
  'chat:edit',
  'user:manage:whispers',
  'moderator:manage:chat_messages',
  'moderator:manage:banned_users',
  'moderator:manage:shoutouts',
] as const

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

export interface TwitchTokens {
  readonly accessToken: string
  readonly refreshToken: string
  /** Epoch ms when the access token expires (0 when Twitch did not say). */
  readonly expiresAt: number
  readonly scopes: readonly string[]
}

export interface DeviceCode {
  readonly deviceCode: string
  readonly userCode: string
  readonly verificationUri: string
  /** Seconds between polls, as Twitch asks. */
  readonly interval: number
  readonly expiresIn: number
}

export interface TokenInfo {
  readonly login: string
  readonly userId: string
  readonly clientId: string
  readonly scopes: readonly string[]
  readonly expiresIn: number
}

/** Why a call to Twitch's OAuth endpoints failed: `code` is Twitch's message (`authorization_pending`, …). */
export class TwitchOAuthError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, options?: { cause?: unknown }) {
    super(`Twitch OAuth: ${status === 0 ? '' : `${status} `}${code}`, options)
    this.status = status
    this.code = code
  }
  override get name(): string {
    return 'TwitchOAuthError'
  }
}

export interface TwitchOAuthOptions {
  readonly authUrl?: string | undefined
  readonly clientId: string
  /** Only for a confidential client; the device flow works without one. */
  readonly clientSecret?: string | undefined
  readonly fetch?: typeof fetch
  readonly now?: () => number
}

/** The client for Twitch's OAuth endpoints. */
export function createTwitchOAuth(options: TwitchOAuthOptions) {
  const base = (options.authUrl ?? DEFAULT_TWITCH_AUTH_URL).replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  const now = options.now ?? Date.now

  async function call(
    method: 'GET' | 'POST',
    path: string,
    form?: Record<string, string>,
    token?: string,
  ): Promise<Record<string, unknown>> {
    let res: globalThis.Response
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(token ? { authorization: `OAuth ${token}` } : {}),
        },
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        signal: AbortSignal.timeout(15_000),
      })
    } catch (error) {
      throw new TwitchOAuthError(0, `unreachable at ${base}: ${(error as Error).message}`, { cause: error })
    }
    const text = await res.text()
    let body: Record<string, unknown> = {}
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>)
    } catch {}
    if (!res.ok)
      throw new TwitchOAuthError(
        res.status,
        String(body.message ?? body.error ?? (text.slice(0, 200) || res.statusText)),
      )
    return body
  }

  const tokensOf = (body: Record<string, unknown>): TwitchTokens => ({
    accessToken: String(body.access_token ?? ''),
    refreshToken: String(body.refresh_token ?? ''),
    expiresAt: typeof body.expires_in === 'number' ? now() + body.expires_in * 1000 : 0,
    scopes: Array.isArray(body.scope) ? body.scope.map(String) : [],
  })
  const secret = options.clientSecret ? { client_secret: options.clientSecret } : {}

  return {
    authUrl: base,
    /** Starts the device code flow. */
    async startDevice(scopes: readonly string[]): Promise<DeviceCode> {
      const body = await call('POST', '/oauth2/device', { client_id: options.clientId, scopes: scopes.join(' ') })
      return {
        deviceCode: String(body.device_code),
        userCode: String(body.user_code),
        verificationUri: String(body.verification_uri),
        interval: Number(body.interval ?? 5),
        expiresIn: Number(body.expires_in ?? 1800),
      }
    },
    /** One poll of the token endpoint; throws TwitchOAuthError `authorization_pending` until the user answers. */
    async pollDevice(device: DeviceCode, scopes: readonly string[]): Promise<TwitchTokens> {
      const form = {
        client_id: options.clientId,
        ...secret,
        scopes: scopes.join(' '),
        device_code: device.deviceCode,
        grant_type: DEVICE_GRANT,
      }
      return tokensOf(await call('POST', '/oauth2/token', form))
    },
    async refresh(refreshToken: string): Promise<TwitchTokens> {
      const body = await call('POST', '/oauth2/token', {
        client_id: options.clientId,
        ...secret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      })
      return tokensOf(body)
    },
    async validate(accessToken: string): Promise<TokenInfo> {
      const body = await call('GET', '/oauth2/validate', undefined, accessToken.replace(/^oauth:/, ''))
      return {
        login: String(body.login ?? ''),
        userId: String(body.user_id ?? ''),
        clientId: String(body.client_id ?? ''),
        scopes: Array.isArray(body.scopes) ? body.scopes.map(String) : [],
        expiresIn: Number(body.expires_in ?? 0),
      }
    },
  }
}

export type TwitchOAuth = ReturnType<typeof createTwitchOAuth>

/** The outcome of a poll that is not a token: keep polling, poll slower, or stop. */
export function pollVerdict(error: unknown): 'pending' | 'slow_down' | 'denied' | 'expired' | 'failed' {
  if (!(error instanceof TwitchOAuthError)) return 'failed'
  const code = error.code.toLowerCase()
  if (code.includes('authorization_pending')) return 'pending'
  if (code.includes('slow_down')) return 'slow_down'
  if (code.includes('denied')) return 'denied'
  if (code.includes('expired') || code.includes('invalid device code')) return 'expired'
  return 'failed'
}

export interface DeviceFlowOptions {
  readonly scopes: readonly string[]
  /** Called once with the code the user types in at the verification URL. */
  readonly onCode: (device: DeviceCode) => void
  readonly sleep?: (ms: number) => Promise<void>
  readonly now?: () => number
}

/**
 * Runs the device code flow to its end: polls at Twitch's interval, 5 s slower after each `slow_down`
 * (RFC 8628 §3.5), until tokens come, the user denies, or the code expires (thrown as TwitchOAuthError
 * with code `access_denied` / `expired_token`).
 */
export async function runDeviceFlow(oauth: TwitchOAuth, o: DeviceFlowOptions): Promise<TwitchTokens> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const now = o.now ?? Date.now
  const device = await oauth.startDevice(o.scopes)
  o.onCode(device)
  const deadline = now() + device.expiresIn * 1000
  let intervalMs = Math.max(0, device.interval) * 1000
  for (;;) {
    await sleep(intervalMs)
    try {
      return await oauth.pollDevice(device, o.scopes)
    } catch (error) {
      const verdict = pollVerdict(error)
      if (verdict === 'slow_down') intervalMs += 5000
      else if (verdict === 'denied') throw new TwitchOAuthError(400, 'access_denied', { cause: error })
      else if (verdict === 'expired') throw new TwitchOAuthError(400, 'expired_token', { cause: error })
      else if (verdict === 'failed') throw error
      if (now() >= deadline) throw new TwitchOAuthError(400, 'expired_token')
    }
  }
}
