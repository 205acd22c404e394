/**
 * Daily token caps and usage. The caps are counters in the cache (`ai:tokens:<community>:<day>` and
 * `…:<day>:<user>`, UTC days, kept 48 h), so every replica on one Redis counts against the same allowance.
 * A question first *reserves* what it may use (prompt estimate + max_tokens) with an atomic increment and is
 * refused when that passes a cap; the answer then settles the reservation to the tokens actually used (the
 * provider's figure, or the estimate). Concurrent questions can therefore never overshoot a cap.
 * Settled usage is also added to `ai_usage` (the dashboard and `GET /api/v1/ai/usage`) and to /metrics.
 */
import { Counter, Gauge } from 'prom-client'
import type { Cache } from '../../runtime/cache/types.js'
import { metricsRegistry } from '../../runtime/metrics.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

const KEEP_MS = 48 * 60 * 60_000

/** The UTC day of `ms`: `2026-12-03`. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export const capKeys = (communityId: string, day: string, userId: string) => ({
  community: `ai:tokens:${communityId}:${day}`,
  user: `ai:tokens:${communityId}:${day}:${userId}`,
})

export interface Caps {
  /** 0 = no cap */
  readonly community: number
  readonly user: number
}

export interface Reservation {
  readonly communityId: string
  readonly userId: string
  readonly day: string
  readonly tokens: number
}

export type ReserveVerdict = { ok: true; reservation: Reservation } | { ok: false; cap: 'community' | 'user' }

/** Reserves `tokens` against both caps, or takes nothing back and says which cap it would pass. */
export async function reserve(
  cache: Cache,
  who: { communityId: string; userId: string },
  tokens: number,
  caps: Caps,
  now: number,
): Promise<ReserveVerdict> {
  const day = dayOf(now)
  const keys = capKeys(who.communityId, day, who.userId)
  const [community, user] = await Promise.all([
    cache.incr(keys.community, tokens, KEEP_MS),
    cache.incr(keys.user, tokens, KEEP_MS),
  ])
  const over =
    caps.community > 0 && community > caps.community
      ? 'community'
      : caps.user > 0 && user > caps.user
        ? 'user'
        : undefined
  if (over) {
    await Promise.all([cache.incr(keys.community, -tokens, KEEP_MS), cache.incr(keys.user, -tokens, KEEP_MS)])
    return { ok: false, cap: over }
  }
  return { ok: true, reservation: { ...who, day, tokens } }
}

/** Gives a reservation back (the question was not answered). */
export async function release(cache: Cache, r: Reservation): Promise<void> {
  const keys = capKeys(r.communityId, r.day, r.userId)
  await Promise.all([cache.incr(keys.community, -r.tokens, KEEP_MS), cache.incr(keys.user, -r.tokens, KEEP_MS)])
}

const tokensTotal =
  (metricsRegistry.getSingleMetric('waddlebot_ai_tokens_total') as Counter | undefined) ??
  new Counter({
    name: 'waddlebot_ai_tokens_total',
    help: 'Tokens used by AI answers in this process, by community and provider',
    labelNames: ['community', 'provider'],
    registers: [metricsRegistry],
  })

/** AI triggers by result: answered, refused (rate, cap, moderation), failed (provider error or timeout). */
export const aiRequests =
  (metricsRegistry.getSingleMetric('waddlebot_ai_requests_total') as Counter | undefined) ??
  new Counter({
    name: 'waddlebot_ai_requests_total',
    help: 'AI questions by result',
    labelNames: ['result'],
    registers: [metricsRegistry],
  })

/** Where the today gauge reads from: the storage of the ai module set up last in this process (one, normally). */
export interface UsageSource {
  readonly db: Queryable
  readonly now: () => number
}
const usageSources: UsageSource[] = []

/** Makes `source` the one /metrics reads; the returned function removes it again (teardown). */
export function addUsageSource(source: UsageSource): () => void {
  usageSources.push(source)
  return () => {
    const i = usageSources.indexOf(source)
    if (i >= 0) usageSources.splice(i, 1)
  }
}

if (!metricsRegistry.getSingleMetric('waddlebot_ai_tokens_today')) {
  new Gauge({
    name: 'waddlebot_ai_tokens_today',
    help: 'Tokens used by AI answers today (UTC), by community, across every replica (from ai_usage)',
    labelNames: ['community'],
    registers: [metricsRegistry],
    async collect() {
      this.reset()
      const source = usageSources.at(-1)
      if (!source) return
      const rows = await usageOn(source.db, dayOf(source.now())).catch(() => [])
      for (const r of rows) this.set({ community: r.community_id }, r.tokens)
    },
  })
}

/** Settles a reservation to `used` tokens and records the answer. */
export async function settle(
  cache: Cache,
  db: Queryable,
  r: Reservation,
  used: number,
  provider: string,
  now: number,
): Promise<void> {
  const keys = capKeys(r.communityId, r.day, r.userId)
  const delta = used - r.tokens
  if (delta !== 0)
    await Promise.all([cache.incr(keys.community, delta, KEEP_MS), cache.incr(keys.user, delta, KEEP_MS)])
  tokensTotal.inc({ community: r.communityId, provider }, used)
  await db.execute(sql`insert into ai_usage (community_id, day, tokens, answers, updated_at)
    values (${r.communityId}, ${r.day}, ${used}, 1, ${now})
    on conflict (community_id, day) do update set tokens = ai_usage.tokens + excluded.tokens,
      answers = ai_usage.answers + 1, updated_at = excluded.updated_at`)
}

export interface UsageRow {
  readonly community_id: string
  readonly day: string
  readonly tokens: number
  readonly answers: number
}

/** Usage of every community on `day`, most tokens first. */
export async function usageOn(db: Queryable, day: string): Promise<UsageRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    sql`select community_id, day, tokens, answers from ai_usage where day = ${day} order by tokens desc, community_id`,
  )
  return rows.map((r) => ({
    community_id: String(r.community_id),
    day: String(r.day),
    tokens: Number(r.tokens),
    answers: Number(r.answers),
  }))
}

/** Usage from `since` (a UTC day) on, per community per day, newest day first. */
export async function usageSince(db: Queryable, since: string, communityId?: string): Promise<UsageRow[]> {
  const scope = communityId === undefined ? sql.empty : sql`and community_id = ${communityId}`
  const rows = await db.query<Record<string, unknown>>(
    sql`select community_id, day, tokens, answers from ai_usage where day >= ${since} ${scope}
      order by day desc, tokens desc, community_id`,
  )
  return rows.map((r) => ({
    community_id: String(r.community_id),
    day: String(r.day),
    tokens: Number(r.tokens),
    answers: Number(r.answers),
  }))
}
