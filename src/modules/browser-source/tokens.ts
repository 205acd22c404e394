/**
 * Overlay tokens: one per community and overlay type, 32 random bytes in base64url, created on first need.
 * A rotation keeps the previous token valid until its grace period ends. Lookups go through a small
 * in-memory cache (entries live `cacheMs`, default 10 s), so a rotation made by another process is seen
 * within that time; the grace period of a previous token is checked on every lookup.
 */
import { randomBytes } from 'node:crypto'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

/** The three overlay pages. */
export const OVERLAY_TYPES = ['media', 'ticker', 'general'] as const
export type OverlayType = (typeof OVERLAY_TYPES)[number]

/** True when `value` names an overlay type. */
export function isOverlayType(value: unknown): value is OverlayType {
  return typeof value === 'string' && (OVERLAY_TYPES as readonly string[]).includes(value)
}

/** The default grace period of a rotated token: 10 minutes. */
export const DEFAULT_GRACE_MS = 10 * 60_000

/** A shared, replaceable clock (tests move it forward instead of waiting). */
export interface Clock {
  now(): number
}

/** What a valid token opens. */
export interface TokenGrant {
  readonly communityId: string
  readonly type: OverlayType
  /** Set when this is a rotated-out token: it stops working at this time (epoch ms). */
  readonly validUntil?: number
}

interface CacheEntry {
  readonly grant: TokenGrant
  readonly cachedAt: number
}

interface TokenRow {
  community_id: string
  type: OverlayType
  token: string
  previous_token: string | null
  previous_valid_until: number | string | null
}

/** A fresh token: 32 random bytes, url-safe (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The first characters of a token, safe to log. */
export function tokenPrefix(token: string): string {
  return token.slice(0, 6)
}

/** The page URL of every overlay type, given the module's base URL and the tokens. */
export function overlayUrls(
  baseUrl: string,
  tokens: Readonly<Record<OverlayType, string>>,
): Record<OverlayType, string> {
  const base = baseUrl.replace(/\/+$/, '')
  return {
    media: `${base}/browser/source/${tokens.media}/media`,
    ticker: `${base}/browser/source/${tokens.ticker}/ticker`,
    general: `${base}/browser/source/${tokens.general}/general`,
  }
}

/** Creates, rotates and resolves overlay tokens over the `browser_source_tokens` table. */
export class TokenStore {
  readonly #cache = new Map<string, CacheEntry>()

  constructor(
    private readonly db: Queryable,
    private readonly clock: Clock = { now: () => Date.now() },
    private readonly cacheMs = 10_000,
  ) {}

  /** The community's token of every type, creating the missing ones. Safe to call concurrently. */
  async ensureTokens(communityId: string): Promise<Record<OverlayType, string>> {
    let rows = await this.#rows(communityId)
    if (rows.length < OVERLAY_TYPES.length) {
      const now = this.clock.now()
      for (const type of OVERLAY_TYPES) {
        if (rows.some((r) => r.type === type)) continue
        await this.db.execute(sql`insert into browser_source_tokens (community_id, type, token, created_at)
          values (${communityId}, ${type}, ${newToken()}, ${now}) on conflict (community_id, type) do nothing`)
      }
      rows = await this.#rows(communityId)
    }
    const out = {} as Record<OverlayType, string>
    for (const row of rows) out[row.type] = row.token
    return out
  }

  /**
   * Replaces the community's token of `type`; the old one keeps working for `graceMs` (default 10 min,
   * 0 = revoked at once). Only the latest previous token is kept. Returns the new token.
   */
  async rotate(communityId: string, type: OverlayType, graceMs = DEFAULT_GRACE_MS): Promise<string> {
    if (!Number.isFinite(graceMs) || graceMs < 0)
      throw new RangeError(`graceMs must be a non-negative number, got ${graceMs}`)
    const current = (await this.ensureTokens(communityId))[type]
    const token = newToken()
    const now = this.clock.now()
    await this.db.execute(sql`update browser_source_tokens
      set previous_token = token, previous_valid_until = ${now + graceMs}, token = ${token}, rotated_at = ${now}
      where community_id = ${communityId} and type = ${type}`)
    this.#cache.delete(current)
    this.#cache.delete(token)
    return token
  }

  /** What `token` opens right now, or undefined (unknown, or a rotated-out token past its grace). */
  async resolve(token: string): Promise<TokenGrant | undefined> {
    const now = this.clock.now()
    const hit = this.#cache.get(token)
    let grant: TokenGrant | undefined
    if (hit && now - hit.cachedAt < this.cacheMs && hit.cachedAt <= now) {
      grant = hit.grant
    } else {
      grant = await this.#load(token)
      if (grant) {
        if (this.#cache.size >= 10_000) this.#cache.clear()
        this.#cache.set(token, { grant, cachedAt: now })
      } else {
        this.#cache.delete(token)
      }
    }
    if (grant?.validUntil !== undefined && grant.validUntil <= now) return undefined
    return grant
  }

  /** Drops every cached lookup (the next `resolve` reads the table). */
  forget(): void {
    this.#cache.clear()
  }

  async #load(token: string): Promise<TokenGrant | undefined> {
    const row = await this.db.one<TokenRow>(sql`select community_id, type, token, previous_token, previous_valid_until
      from browser_source_tokens where token = ${token} or previous_token = ${token}`)
    if (!row) return undefined
    if (row.token === token) return { communityId: row.community_id, type: row.type }
    return { communityId: row.community_id, type: row.type, validUntil: Number(row.previous_valid_until ?? 0) }
  }

  #rows(communityId: string): Promise<TokenRow[]> {
    return this.db.query<TokenRow>(sql`select community_id, type, token, previous_token, previous_valid_until
      from browser_source_tokens where community_id = ${communityId}`)
  }
}
