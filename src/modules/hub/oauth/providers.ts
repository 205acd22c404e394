/**
 * The three OAuth platforms the hub logs in with. Each takes its base URLs from the environment so tests point
 * it at a local fake: Discord (`DISCORD_OAUTH_URL` for the authorize page, `DISCORD_API_URL` for token and
 * `/users/@me`; PKCE S256), Twitch (`TWITCH_AUTH_URL` for authorize and token, `TWITCH_API_URL` for Helix
 * `/users`; Twitch has no PKCE), Slack (Sign in with Slack, OpenID Connect: `SLACK_OAUTH_URL` for authorize,
 * `SLACK_API_URL` for `openid.connect.token` and `openid.connect.userInfo`). Client ids and secrets:
 * `<PLATFORM>_CLIENT_ID` / `<PLATFORM>_CLIENT_SECRET`.
 */
import { WaddleError } from '../../../runtime/errors.js'
import type { OAuthPlatform } from '../api.js'
import type { Account } from '../users.js'

export interface OAuthProvider {
  readonly platform: OAuthPlatform
  readonly pkce: boolean
  authorizeUrl(p: { state: string; redirectUri: string; challenge?: string | undefined }): string
  /** Exchanges the code, then reads who logged in. */
  account(p: { code: string; redirectUri: string; verifier?: string | undefined }): Promise<Account>
}

const TIMEOUT_MS = 10_000
const trim = (url: string) => url.replace(/\/+$/, '')

async function call(platform: string, what: string, url: string, init: RequestInit): Promise<Record<string, unknown>> {
  let res: Response
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    throw new WaddleError('WB_HUB_OAUTH_FAILED', { platform, reason: `${what}: ${(error as Error).message}` })
  }
  const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined
  if (!res.ok || body === undefined || body.ok === false) {
    const reason = body
      ? String(body.error_description ?? body.error ?? body.message ?? res.status)
      : `HTTP ${res.status}`
    throw new WaddleError('WB_HUB_OAUTH_FAILED', { platform, reason: `${what}: ${reason.slice(0, 200)}` })
  }
  return body
}

const form = (fields: Record<string, string | undefined>) => {
  const f = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) f.set(k, v)
  return f
}

function need(platform: string, value: unknown, field: string): string {
  if (typeof value === 'string' && value) return value
  if (typeof value === 'number') return String(value)
  throw new WaddleError('WB_HUB_OAUTH_FAILED', { platform, reason: `the user answer has no ${field}` })
}

function discord(env: NodeJS.ProcessEnv, id: string, secret: string): OAuthProvider {
  const site = trim(env.DISCORD_OAUTH_URL || 'https://discord.com')
  const api = trim(env.DISCORD_API_URL || 'https://discord.com/api')
  return {
    platform: 'discord',
    pkce: true,
    authorizeUrl: ({ state, redirectUri, challenge }) =>
      `${site}/oauth2/authorize?${form({
        response_type: 'code',
        client_id: id,
        scope: 'identify',
        state,
        redirect_uri: redirectUri,
        prompt: 'none',
        code_challenge: challenge,
        code_challenge_method: challenge ? 'S256' : undefined,
      })}`,
    async account({ code, redirectUri, verifier }) {
      const token = await call('discord', 'token', `${api}/oauth2/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        },
        body: form({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
      })
      const me = await call('discord', 'users/@me', `${api}/users/@me`, {
        headers: { authorization: `Bearer ${need('discord', token.access_token, 'access_token')}` },
      })
      const name = need('discord', me.username, 'username')
      return {
        platform: 'discord',
        platform_user_id: need('discord', me.id, 'id'),
        user_name: name,
        display_name: typeof me.global_name === 'string' ? me.global_name : name,
      }
    },
  }
}

function twitch(env: NodeJS.ProcessEnv, id: string, secret: string): OAuthProvider {
  const auth = trim(env.TWITCH_AUTH_URL || 'https://id.twitch.tv')
  const helix = trim(env.TWITCH_API_URL || 'https://api.twitch.tv/helix')
  return {
    platform: 'twitch',
    pkce: false,
    authorizeUrl: ({ state, redirectUri }) =>
      `${auth}/oauth2/authorize?${form({ response_type: 'code', client_id: id, redirect_uri: redirectUri, scope: '', state })}`,
    async account({ code, redirectUri }) {
      const token = await call('twitch', 'token', `${auth}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({
          client_id: id,
          client_secret: secret,
          code,
          grant_type: 'authorization_code',
          redirect_uri: redirectUri,
        }),
      })
      const users = await call('twitch', 'helix users', `${helix}/users`, {
        headers: { authorization: `Bearer ${need('twitch', token.access_token, 'access_token')}`, 'client-id': id },
      })
      const user = (Array.isArray(users.data) ? users.data[0] : undefined) as Record<string, unknown> | undefined
      if (!user)
        throw new WaddleError('WB_HUB_OAUTH_FAILED', { platform: 'twitch', reason: 'helix users answered no user' })
      const login = need('twitch', user.login, 'login')
      return {
        platform: 'twitch',
        platform_user_id: need('twitch', user.id, 'id'),
        user_name: login,
        display_name: typeof user.display_name === 'string' ? user.display_name : login,
      }
    },
  }
}

function slack(env: NodeJS.ProcessEnv, id: string, secret: string): OAuthProvider {
  const site = trim(env.SLACK_OAUTH_URL || 'https://slack.com')
  const api = trim(env.SLACK_API_URL || 'https://slack.com/api')
  return {
    platform: 'slack',
    pkce: false,
    authorizeUrl: ({ state, redirectUri }) =>
      `${site}/openid/connect/authorize?${form({ response_type: 'code', scope: 'openid profile', client_id: id, state, redirect_uri: redirectUri })}`,
    async account({ code, redirectUri }) {
      const token = await call('slack', 'openid.connect.token', `${api}/openid.connect.token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({
          client_id: id,
          client_secret: secret,
          code,
          grant_type: 'authorization_code',
          redirect_uri: redirectUri,
        }),
      })
      const info = await call('slack', 'openid.connect.userInfo', `${api}/openid.connect.userInfo`, {
        headers: { authorization: `Bearer ${need('slack', token.access_token, 'access_token')}` },
      })
      const userId = need('slack', info['https://slack.com/user_id'] ?? info.sub, 'sub')
      const name = typeof info.name === 'string' && info.name ? info.name : userId
      return {
        platform: 'slack',
        platform_user_id: userId,
        user_name: name.toLowerCase().replace(/\s+/g, '.'),
        display_name: name,
      }
    },
  }
}

const builders = { discord, twitch, slack } as const

/** The configured providers (client id and secret both set), by platform. */
export function providersFromEnv(env: NodeJS.ProcessEnv): Map<OAuthPlatform, OAuthProvider> {
  const out = new Map<OAuthPlatform, OAuthProvider>()
  for (const platform of Object.keys(builders) as OAuthPlatform[]) {
    const prefix = platform.toUpperCase()
    const id = env[`${prefix}_CLIENT_ID`]
    const secret = env[`${prefix}_CLIENT_SECRET`]
    if (id && secret) out.set(platform, builders[platform](env, id, secret))
  }
  return out
}
