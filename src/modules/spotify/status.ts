/**
 * `spotifyStatus`: the state of every community's Spotify connection, for `waddlebot doctor` and
 * `GET /spotify/status`. A revoked or unreadable connection is a WARNING (the bot runs; Spotify commands say
 * the streamer must log in again), never a failure: the module's /health stays 200.
 */
import type { ModuleClients } from '../../runtime/module-clients.js'
import type { Settings } from '../../runtime/config.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import { keyIdOf, peekTokenKey } from './crypto.js'
import { loginHint, spotifyCredentials } from './settings.js'

export type ConnectionState = 'connected' | 'revoked' | 'key_mismatch'

export interface SpotifyConnection {
  readonly community_id: string
  readonly state: ConnectionState
  /** When the stored access token expires (epoch ms); it is refreshed on use. */
  readonly expires_at: number
  readonly last_error: string | null
  /** How to (re)connect: only an admin can issue a login link. */
  readonly login: string
}

export interface SpotifyStatus {
  /** `warn` when a connection is revoked or unreadable; never `fail`. */
  readonly level: 'ok' | 'warn'
  /** One line for doctor. */
  readonly detail: string
  /** SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set. */
  readonly configured: boolean
  readonly connections: readonly SpotifyConnection[]
}

/**
 * Reads the connections from `storage` (no network, no writes; creates no key).
 * @example doctor: `const s = await spotifyStatus({ storage, settings, modules }); out.push({ name: 'spotify', status: s.level, detail: s.detail })`
 */
export async function spotifyStatus(source: {
  readonly storage: Queryable
  readonly settings: Settings
  /** Where modules are reached (a module's `ctx.modules`, or the CLI's registry). */
  readonly modules: Pick<ModuleClients, 'url'>
}): Promise<SpotifyStatus> {
  const { storage, settings } = source
  const configured = spotifyCredentials(settings) !== undefined
  let rows: {
    community_id: string
    status: string
    key_id: string
    expires_at: number | string
    last_error: string | null
  }[]
  try {
    rows = await storage.query(
      sql`select community_id, status, key_id, expires_at, last_error from spotify_tokens order by community_id`,
    )
  } catch {
    const detail = configured
      ? 'configured; no spotify tables yet (the module has not run)'
      : 'not configured (SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET unset)'
    return { level: 'ok', detail, configured, connections: [] }
  }
  let keyId: string | undefined
  try {
    const key = peekTokenKey(settings)
    keyId = key ? keyIdOf(key.key) : undefined
  } catch {
    keyId = undefined // an invalid WADDLEBOT_SECRET_KEY: no row can be read
  }
  const connections = rows.map(
    (r): SpotifyConnection => ({
      community_id: r.community_id,
      state: r.status === 'revoked' ? 'revoked' : r.key_id !== keyId ? 'key_mismatch' : 'connected',
      expires_at: Number(r.expires_at),
      last_error: r.last_error,
      login: loginHint(r.community_id),
    }),
  )
  const bad = connections.filter((c) => c.state !== 'connected')
  if (bad.length > 0) {
    const what = bad.map(
      (c) =>
        `${c.community_id}: ${c.state === 'revoked' ? 'refresh token revoked' : 'tokens sealed with another key'}, log in again: ${c.login}`,
    )
    return { level: 'warn', detail: `Spotify disconnected (${what.join('; ')})`, configured, connections }
  }
  if (!configured) {
    const detail = connections.length
      ? 'SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET unset: stored connections cannot refresh'
      : 'not configured (SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET unset)'
    return { level: connections.length ? 'warn' : 'ok', detail, configured, connections }
  }
  const detail = connections.length
    ? `connected for ${connections.map((c) => c.community_id).join(', ')}`
    : 'configured; no streamer has logged in yet'
  return { level: 'ok', detail, configured, connections }
}
