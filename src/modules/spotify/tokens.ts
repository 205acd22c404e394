/**
 * The streamer's Spotify tokens, per community, encrypted at rest. `access()` hands out an access token,
 * refreshing it BEFORE it expires (when less than the margin is left, by the injected clock). A refresh token
 * Spotify refuses (`invalid_grant`) marks the connection `revoked`: commands then say the streamer must log
 * in again; nothing crashes and the module stays healthy.
 */
import type { Logger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import type { TokenCipher } from './crypto.js'
import { SpotifyAuthError, type SpotifyAccounts, type TokenGrant } from './spotify-api.js'

export interface TokenRow {
  readonly community_id: string
  readonly access_token: string
  readonly refresh_token: string
  readonly expires_at: number
  readonly scope: string
  readonly key_id: string
  readonly status: 'active' | 'revoked'
  readonly last_error: string | null
  readonly connected_at: number
  readonly refreshed_at: number | null
}

/** Why there is no usable token: never connected, refresh token revoked, or sealed with another key. */
export class SpotifyDisconnected extends Error {
  constructor(
    readonly reason: 'not_connected' | 'revoked' | 'undecryptable',
    readonly communityId: string,
  ) {
    super(
      `Spotify is ${reason === 'not_connected' ? 'not connected' : 'disconnected'} for community ${communityId} (${reason})`,
    )
    this.name = 'SpotifyDisconnected'
  }
}

const aad = (communityId: string, field: 'access' | 'refresh') => `spotify:${communityId}:${field}`

export interface TokenManagerOptions {
  readonly db: Queryable
  readonly cipher: TokenCipher
  readonly accounts: () => SpotifyAccounts
  readonly now: () => number
  /** Refresh when fewer than this many ms are left (default 60 s). */
  readonly refreshMarginMs: number
  readonly log: Logger
}

export class TokenManager {
  readonly #refreshing = new Map<string, Promise<string>>()

  constructor(private readonly o: TokenManagerOptions) {}

  /** Stores a fresh grant (login): the connection becomes active again. */
  async save(communityId: string, grant: TokenGrant): Promise<void> {
    if (!grant.refresh_token) throw new SpotifyAuthError(502, 'invalid_response', 'Spotify sent no refresh token')
    const now = this.o.now()
    const access = this.o.cipher.encrypt(grant.access_token, aad(communityId, 'access'))
    const refresh = this.o.cipher.encrypt(grant.refresh_token, aad(communityId, 'refresh'))
    const expiresAt = now + grant.expires_in * 1000
    await this.o.db.execute(sql`insert into spotify_tokens
      (community_id, access_token, refresh_token, expires_at, scope, key_id, status, last_error, connected_at, refreshed_at, updated_at)
      values (${communityId}, ${access}, ${refresh}, ${expiresAt}, ${grant.scope ?? ''}, ${this.o.cipher.keyId}, 'active', null, ${now}, null, ${now})
      on conflict (community_id) do update set access_token = excluded.access_token, refresh_token = excluded.refresh_token,
        expires_at = excluded.expires_at, scope = excluded.scope, key_id = excluded.key_id, status = 'active', last_error = null,
        connected_at = excluded.connected_at, refreshed_at = null, updated_at = excluded.updated_at`)
  }

  async row(communityId: string): Promise<TokenRow | undefined> {
    const row = await this.o.db.one<TokenRow>(sql`select * from spotify_tokens where community_id = ${communityId}`)
    return row
      ? {
          ...row,
          expires_at: Number(row.expires_at),
          connected_at: Number(row.connected_at),
          refreshed_at: row.refreshed_at === null ? null : Number(row.refreshed_at),
        }
      : undefined
  }

  /**
   * A usable access token for the community: the stored one while more than the margin is left, else a
   * refreshed one. `force` refreshes regardless (after Spotify answered 401). Throws SpotifyDisconnected.
   */
  async access(communityId: string, force = false): Promise<string> {
    const row = await this.row(communityId)
    if (!row) throw new SpotifyDisconnected('not_connected', communityId)
    if (row.status === 'revoked') throw new SpotifyDisconnected('revoked', communityId)
    if (row.key_id !== this.o.cipher.keyId) throw new SpotifyDisconnected('undecryptable', communityId)
    if (!force && row.expires_at - this.o.now() > this.o.refreshMarginMs) return this.#open(row, 'access')
    let pending = this.#refreshing.get(communityId)
    if (!pending) {
      pending = this.#refresh(row).finally(() => this.#refreshing.delete(communityId))
      this.#refreshing.set(communityId, pending)
    }
    return pending
  }

  #open(row: TokenRow, field: 'access' | 'refresh'): string {
    try {
      return this.o.cipher.decrypt(
        field === 'access' ? row.access_token : row.refresh_token,
        aad(row.community_id, field),
      )
    } catch {
      throw new SpotifyDisconnected('undecryptable', row.community_id)
    }
  }

  async #refresh(row: TokenRow): Promise<string> {
    const cid = row.community_id
    let grant: TokenGrant
    try {
      grant = await this.o.accounts().refresh(this.#open(row, 'refresh'))
    } catch (error) {
      if (error instanceof SpotifyAuthError && error.error === 'invalid_grant') {
        await this.o.db.execute(sql`update spotify_tokens set status = 'revoked', last_error = ${`invalid_grant: ${error.message}`},
          updated_at = ${this.o.now()} where community_id = ${cid}`)
        this.o.log.warn({ community: cid }, 'Spotify refused the refresh token: the streamer must log in again')
        throw new SpotifyDisconnected('revoked', cid)
      }
      await this.o.db.execute(sql`update spotify_tokens set last_error = ${(error as Error).message.slice(0, 300)}, updated_at = ${this.o.now()}
        where community_id = ${cid}`)
      throw error
    }
    const now = this.o.now()
    const access = this.o.cipher.encrypt(grant.access_token, aad(cid, 'access'))
    const refresh = grant.refresh_token
      ? this.o.cipher.encrypt(grant.refresh_token, aad(cid, 'refresh'))
      : row.refresh_token
    await this.o.db.execute(sql`update spotify_tokens set access_token = ${access}, refresh_token = ${refresh},
      expires_at = ${now + grant.expires_in * 1000}, scope = ${grant.scope ?? row.scope}, last_error = null, refreshed_at = ${now},
      updated_at = ${now} where community_id = ${cid}`)
    this.o.log.debug({ community: cid }, 'Spotify access token refreshed')
    return grant.access_token
  }
}
