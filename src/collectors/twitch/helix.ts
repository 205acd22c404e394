/**
 * A small Twitch Helix client (base URL `TWITCH_API_URL`, default https://api.twitch.tv/helix): user
 * lookup, whispers and chat moderation (delete message, timeout, ban). Every call sends `Client-Id` and
 * `Authorization: Bearer <token>`. With a token source (token-store.ts) a 401 refreshes the token and the
 * call is tried once more.
 */
import type { TokenSource } from './token-store.js'

export const DEFAULT_HELIX_URL = 'https://api.twitch.tv/helix'

export interface HelixUser {
  readonly id: string
  readonly login: string
  readonly display_name: string
}

export interface HelixClient {
  /** Users by login and/or id (at most 100 of each). */
  getUsers(query: { logins?: readonly string[]; ids?: readonly string[] }): Promise<HelixUser[]>
  sendWhisper(fromUserId: string, toUserId: string, message: string): Promise<void>
  /** Deletes one chat message (`messageId`), or every message in the chat when omitted. */
  deleteChatMessage(broadcasterId: string, moderatorId: string, messageId?: string): Promise<void>
  /** Bans `userId`; with `durationSeconds` it is a timeout (1 … 1 209 600 s). */
  banUser(
    broadcasterId: string,
    moderatorId: string,
    ban: { userId: string; durationSeconds?: number; reason?: string },
  ): Promise<void>
}

/** A Helix call that failed; `status` is the HTTP status (0 when no answer came). */
export class HelixError extends Error {
  readonly status: number
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.status = status
  }
  override get name(): string {
    return 'HelixError'
  }
}

export interface HelixOptions {
  readonly baseUrl?: string
  readonly clientId: string
  /** The bot's user access token (without `oauth:`), or a source that refreshes it. */
  readonly token: string | TokenSource
  readonly fetch?: typeof fetch
  readonly timeoutMs?: number
}

export type HelixCall = (
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  query: [string, string][],
  body?: unknown,
) => Promise<unknown>

/** One authenticated Helix request (JSON in and out); throws HelixError on a network failure or a non-2xx answer. */
export function helixCaller(options: HelixOptions): HelixCall {
  const base = (options.baseUrl ?? DEFAULT_HELIX_URL).replace(/\/+$/, '')
  const doFetch = options.fetch ?? fetch
  const source = options.token
  const tokens: TokenSource =
    typeof source === 'string' ? { current: async () => source, refresh: async () => source } : source
  return async (method, path, query, body) => {
    const url = `${base}${path}${query.length > 0 ? `?${new URLSearchParams(query).toString()}` : ''}`
    const send = async (token: string) => {
      try {
        return await doFetch(url, {
          method,
          headers: {
            'client-id': options.clientId,
            authorization: `Bearer ${token.replace(/^oauth:/, '')}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        })
      } catch (error) {
        throw new HelixError(0, `Helix ${method} ${path} unreachable: ${(error as Error).message}`, { cause: error })
      }
    }
    const token = await tokens.current()
    let res = await send(token)
    if (res.status === 401 && typeof source !== 'string') {
      await res.body?.cancel()
      res = await send(await tokens.refresh(token))
    }
    const text = await res.text()
    if (!res.ok) {
      let message = text.slice(0, 200)
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message
      } catch {}
      throw new HelixError(res.status, `Helix ${method} ${path}: ${res.status} ${message}`)
    }
    return text === '' ? undefined : JSON.parse(text)
  }
}

/**
 * Creates a Helix client.
 * @example
 * const helix = createHelixClient({ baseUrl: env.TWITCH_API_URL, clientId: env.TWITCH_CLIENT_ID, token: env.TWITCH_BOT_TOKEN })
 * const [bot] = await helix.getUsers({ logins: ['waddlebot'] })
 */
export function createHelixClient(options: HelixOptions): HelixClient {
  const call = helixCaller(options)

  return {
    async getUsers({ logins = [], ids = [] }) {
      if (logins.length + ids.length === 0) return []
      const query: [string, string][] = [
        ...logins.map((l): [string, string] => ['login', l.toLowerCase()]),
        ...ids.map((i): [string, string] => ['id', i]),
      ]
      const body = (await call('GET', '/users', query)) as { data?: HelixUser[] } | undefined
      return (body?.data ?? []).map((u) => ({ id: u.id, login: u.login, display_name: u.display_name }))
    },
    async sendWhisper(fromUserId, toUserId, message) {
      await call(
        'POST',
        '/whispers',
        [
          ['from_user_id', fromUserId],
          ['to_user_id', toUserId],
        ],
        { message },
      )
    },
    async deleteChatMessage(broadcasterId, moderatorId, messageId) {
      const query: [string, string][] = [
        ['broadcaster_id', broadcasterId],
        ['moderator_id', moderatorId],
      ]
      if (messageId) query.push(['message_id', messageId])
      await call('DELETE', '/moderation/chat', query)
    },
    async banUser(broadcasterId, moderatorId, ban) {
      const data = {
        user_id: ban.userId,
        ...(ban.durationSeconds ? { duration: Math.min(1_209_600, Math.max(1, Math.round(ban.durationSeconds))) } : {}),
        ...(ban.reason ? { reason: ban.reason.slice(0, 500) } : {}),
      }
      await call(
        'POST',
        '/moderation/bans',
        [
          ['broadcaster_id', broadcasterId],
          ['moderator_id', moderatorId],
        ],
        { data },
      )
    },
  }
}
