/**
 * The bot's Twitch tokens and their upkeep. `waddlebot auth twitch` stores them in the project's `.env`
 * (TWITCH_BOT_TOKEN, TWITCH_REFRESH_TOKEN, TWITCH_TOKEN_EXPIRES_AT; never waddlebot.yaml); the token manager
 * hands out the access token, refreshes it shortly before it expires and when Twitch answers 401, and writes
 * the new pair back. A public client's refresh token works once, so before refreshing the manager re-reads
 * the file: another process of the same project may have refreshed already.
 */
import type { Settings } from '../../runtime/config.js'
import { envFilePath, readEnvFile, updateEnvFile } from '../../runtime/env-file.js'
import type { Logger } from '../../runtime/logger.js'
import { createTwitchOAuth, type TwitchOAuth, type TwitchTokens } from './oauth.js'

/** Where the tokens live in `.env`. */
export const TOKEN_ENV = {
  access: 'TWITCH_BOT_TOKEN',
  refresh: 'TWITCH_REFRESH_TOKEN',
  expiresAt: 'TWITCH_TOKEN_EXPIRES_AT',
} as const

/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 5 * 60_000

/** Something that hands out a current access token and a fresh one when the current one was refused. */
export interface TokenSource {
  current(): Promise<string>
  /** A new token; `rejected` is the one the platform refused (a refresh by someone else may already have replaced it). */
  refresh(rejected: string): Promise<string>
}

export interface TokenPersistence {
  /** The stored tokens, read afresh each time (undefined without a refresh token). */
  load(): TwitchTokens | undefined
  save(tokens: TwitchTokens): void
}

/** Tokens kept in `.env` at `path` (and mirrored into `env`). */
export function envTokenPersistence(path: string, env: NodeJS.ProcessEnv): TokenPersistence {
  return {
    load() {
      const file = readEnvFile(path)
      const get = (k: string) => file[k] || env[k] || undefined
      const access = get(TOKEN_ENV.access)
      const refresh = get(TOKEN_ENV.refresh)
      if (!access || !refresh) return undefined
      return {
        accessToken: access.replace(/^oauth:/, ''),
        refreshToken: refresh,
        expiresAt: Number(get(TOKEN_ENV.expiresAt) ?? 0) || 0,
        scopes: [],
      }
    },
    save(tokens) {
      const values = {
        [TOKEN_ENV.access]: tokens.accessToken,
        [TOKEN_ENV.refresh]: tokens.refreshToken,
        [TOKEN_ENV.expiresAt]: String(tokens.expiresAt),
      }
      try {
        updateEnvFile(path, values, env)
      } catch (error) {
        Object.assign(env, values) // a read-only .env: this process keeps the new tokens, the next start must run `waddlebot auth twitch`
        throw error
      }
    },
  }
}

export interface TokenManagerOptions {
  readonly oauth: TwitchOAuth
  readonly persistence: TokenPersistence
  readonly now?: () => number
  readonly marginMs?: number
  /** Told when a refreshed pair could not be saved (it is still used by this process). */
  readonly onSaveError?: (error: unknown) => void
}

/** The token manager; `current()` refreshes ahead of expiry, `refresh()` after a 401. */
export function createTokenManager(o: TokenManagerOptions): TokenSource {
  const now = o.now ?? Date.now
  const margin = o.marginMs ?? REFRESH_MARGIN_MS
  let inFlight: Promise<string> | undefined
  let latest: TwitchTokens | undefined

  const stored = (): TwitchTokens => {
    const t = o.persistence.load() ?? latest
    if (!t) throw new Error(`${TOKEN_ENV.refresh} is not set: run \`waddlebot auth twitch\``)
    return latest && latest.expiresAt > t.expiresAt ? latest : t
  }
  const expiring = (t: TwitchTokens) => t.expiresAt > 0 && now() >= t.expiresAt - margin

  function refreshFrom(t: TwitchTokens): Promise<string> {
    inFlight ??= (async () => {
      try {
        const fresh = await o.oauth.refresh(t.refreshToken)
        latest = fresh
        try {
          o.persistence.save(fresh)
        } catch (error) {
          o.onSaveError?.(error)
        }
        return fresh.accessToken
      } finally {
        inFlight = undefined
      }
    })()
    return inFlight
  }

  return {
    async current() {
      const t = stored()
      return expiring(t) ? refreshFrom(t) : t.accessToken
    },
    async refresh(rejected) {
      if (inFlight) return inFlight
      const t = stored()
      // Someone (another process, or an earlier call) already replaced the refused token.
      if (t.accessToken !== rejected.replace(/^oauth:/, '') && !expiring(t)) return t.accessToken
      return refreshFrom(t)
    },
  }
}

/**
 * The collector's token source: a token manager when `.env` holds a refresh token and TWITCH_CLIENT_ID is
 * set (what `waddlebot auth twitch` writes), else undefined (a static TWITCH_BOT_TOKEN is used as it is).
 */
export function tokenSourceFor(settings: Settings, log: Logger): TokenSource | undefined {
  const get = (k: string) => settings.env[k]?.trim() || undefined
  const clientId = get('TWITCH_CLIENT_ID')
  if (!clientId || !get(TOKEN_ENV.refresh)) return undefined
  return createTokenManager({
    oauth: createTwitchOAuth({ authUrl: get('TWITCH_AUTH_URL'), clientId, clientSecret: get('TWITCH_CLIENT_SECRET') }),
    persistence: envTokenPersistence(envFilePath(settings.projectDir), settings.env),
    onSaveError: (err) =>
      log.warn(
        { err },
        'refreshed Twitch tokens could not be written to .env; run `waddlebot auth twitch` before the next start',
      ),
  })
}
