/**
 * The reputation service (the module's state): turns platform events into points (settings.ts weights,
 * caps.ts caps), buffers them (ledger.ts), answers totals, ranks, the leaderboard and history, resolves a
 * chat name to a person, transfers points for `!give`, and decides auto-moderation.
 */
import type { ExecutionRequest } from '../../contract/execution.js'
import type { Response } from '../../contract/responses.js'
import type { Cache } from '../../runtime/cache/types.js'
import type { Logger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { Caps } from './caps.js'
import { Ledger, type Person } from './ledger.js'
import { type CommunitySettings, type ReputationConfig, SettingsBook } from './settings.js'

/** The key a person's points are kept under: the identity when the router filled it, else `<platform>:<user id>`. */
export function subjectOf(user: ExecutionRequest['user'], platform: string): string {
  return user.identity_id ?? `${platform}:${user.id}`
}

export function personOf(request: ExecutionRequest): Person {
  const { user, entity } = request
  return {
    community_id: entity.community_id,
    subject: subjectOf(user, entity.platform),
    name: user.name,
    display_name: user.display_name ?? user.name,
    platform: entity.platform,
    platform_user_id: user.id,
  }
}

export interface Standing {
  readonly subject: string
  readonly name: string | null
  readonly display_name: string | null
  readonly points: number
  readonly rank: number
}

export interface HistoryRow {
  readonly subject: string
  readonly delta: number
  readonly reason: string
  readonly events: number
  readonly actor: string | null
  readonly created_at: number
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0))
const pos = (v: unknown) => {
  const n = num(v)
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
}

/** What one event is worth, and under which reason it is recorded (0 = nothing). */
export function worth(type: string, data: Record<string, unknown>, s: CommunitySettings): [number, string] {
  const p = s.points
  switch (type) {
    case 'chatMessage':
      return [p.message, 'message']
    case 'follow':
      return [p.follow, 'follow']
    case 'subscription':
    case 'resub':
      return [p.sub, 'sub']
    case 'subgift':
      return [p.sub * Math.max(1, pos(data.total)), 'subgift']
    case 'cheer':
      return [p.cheer * Math.floor(pos(data.bits) / 100), 'cheer']
    case 'raid':
      return [p.raid * Math.max(1, pos(data.viewers)), 'raid']
    case 'ban':
      return [p.ban, 'ban']
    case 'timeout':
      return [p.timeout, 'timeout']
    default:
      return [0, type]
  }
}

/** The event types the module scores (its event handler subscribes to exactly these). */
export const SCORED_TYPES = [
  'chatMessage',
  'follow',
  'subscription',
  'resub',
  'subgift',
  'cheer',
  'raid',
  'ban',
  'timeout',
] as const

export class ReputationService {
  readonly settings: SettingsBook
  readonly ledger: Ledger
  readonly caps: Caps
  /** Stored totals read for auto-moderation: subject → [points, read at]. Follows every flush. */
  #known = new Map<string, [number, number]>()
  /** Events handled (scored or not). */
  events = 0

  constructor(
    private readonly storage: Storage,
    cache: Cache,
    log: Logger,
    config: ReputationConfig,
    readonly now: () => number,
  ) {
    const { flush_ms, max_pending, ...defaults } = config
    this.settings = new SettingsBook(storage, cache, defaults, now)
    this.ledger = new Ledger(storage, log, { flushMs: flush_ms, maxPending: max_pending, now })
    this.caps = new Caps(cache, now)
    this.ledger.onWritten = (cid, subject, delta) => {
      const key = `${cid}\u0000${subject}`
      const hit = this.#known.get(key)
      if (hit) hit[0] += delta
    }
  }

  async start(): Promise<void> {
    await this.settings.start()
    this.ledger.start()
  }

  async close(): Promise<void> {
    await this.ledger.close()
    await this.settings.close()
  }

  /** Scores one platform event; returns the auto-moderation response when one is due. */
  async onEvent(request: ExecutionRequest): Promise<Response[]> {
    this.events++
    const type = request.event?.type ?? ''
    const person = personOf(request)
    const cid = person.community_id
    const s = await this.settings.get(cid)
    const [delta, reason] = worth(type, request.event?.data ?? {}, s)
    if (delta !== 0) {
      const allowed =
        type === 'chatMessage'
          ? await this.caps.message(cid, person.subject, s.message_cap_per_minute)
          : type === 'follow'
            ? await this.caps.follow(cid, person.subject)
            : true
      if (allowed) this.ledger.add(person, delta, reason)
    }
    if (type !== 'chatMessage' || s.automod.threshold === null) return []
    const total = (await this.#stored(cid, person.subject)) + this.ledger.pendingOf(cid, person.subject)
    if (total > s.automod.threshold || !(await this.caps.automod(cid, person.subject))) return []
    const { action, duration_s, threshold } = s.automod
    return [
      {
        type: 'moderation',
        action,
        reason: `reputation ${total} is at or below this community's threshold (${threshold})`,
        ...(action === 'timeout' ? { duration: duration_s } : {}),
      },
    ]
  }

  /** A person's stored total, cached for a minute (kept current by flushes of this process). */
  async #stored(cid: string, subject: string): Promise<number> {
    const key = `${cid}\u0000${subject}`
    const hit = this.#known.get(key)
    if (hit && this.now() - hit[1] < 60_000) return hit[0]
    const row = await this.storage.one<{ points: unknown }>(
      sql`select points from reputation_scores where community_id = ${cid} and subject = ${subject}`,
    )
    const points = num(row?.points)
    if (this.#known.size > 100_000) this.#known.clear()
    this.#known.set(key, [points, this.now()])
    return points
  }

  /** A person's total (stored + unwritten here) and rank among stored totals (1 = most points) in a community. */
  async standing(cid: string, subject: string): Promise<Standing> {
    const row = await this.storage.one(
      sql`select subject, name, display_name, points from reputation_scores where community_id = ${cid} and subject = ${subject}`,
    )
    const points = num(row?.points) + this.ledger.pendingOf(cid, subject)
    const above = await this.storage.one<{ n: unknown }>(
      sql`select count(*) as n from reputation_scores where community_id = ${cid} and points > ${points}`,
    )
    return {
      subject,
      name: (row?.name as string | undefined) ?? null,
      display_name: (row?.display_name as string | undefined) ?? null,
      points,
      rank: num(above?.n) + 1,
    }
  }

  /** The top `limit` of a community (unwritten points are written first). */
  async leaderboard(cid: string, limit: number): Promise<Standing[]> {
    const flushing = this.ledger.hasPending(cid)
    if (flushing) await this.ledger.flush()
    // From the read replica (DATABASE_READ_URL), unless this process just wrote the community's points.
    const db = flushing ? this.storage : this.storage.read(`community:${cid}`)
    const rows = await db.query(sql`select subject, name, display_name, points from reputation_scores
      where community_id = ${cid} order by points desc, subject limit ${limit}`)
    let rank = 0
    let last: number | undefined
    return rows.map((r, i) => {
      const points = num(r.points)
      if (points !== last) rank = i + 1
      last = points
      return {
        subject: String(r.subject),
        name: (r.name as string | null) ?? null,
        display_name: (r.display_name as string | null) ?? null,
        points,
        rank,
      }
    })
  }

  async history(cid: string, subject: string | undefined, limit: number): Promise<HistoryRow[]> {
    if (this.ledger.hasPending(cid)) await this.ledger.flush()
    const rows = await this.storage.query(sql`select subject, delta, reason, events, actor, created_at
      from reputation_history where community_id = ${cid} ${subject ? sql`and subject = ${subject}` : sql.empty}
      order by created_at desc, id desc limit ${limit}`)
    return rows.map((r) => ({
      subject: String(r.subject),
      delta: num(r.delta),
      reason: String(r.reason),
      events: num(r.events),
      actor: (r.actor as string | null) ?? null,
      created_at: num(r.created_at),
    }))
  }

  /** The person last seen here under `name` (login or display name, any case). */
  async resolve(cid: string, name: string): Promise<{ subject: string; display_name: string | null } | undefined> {
    const lower = name.replace(/^@/, '').toLowerCase()
    if (this.ledger.hasPending(cid)) await this.ledger.flush()
    const row = await this.storage.one<{
      subject: string
      display_name: string | null
    }>(sql`select subject, display_name
      from reputation_scores where community_id = ${cid} and (name = ${lower} or lower(display_name) = ${lower})
      order by updated_at desc limit 1`)
    return row ? { subject: row.subject, display_name: row.display_name } : undefined
  }

  /**
   * Moves `amount` points from `from` to `to` in one transaction; false when `from` has fewer than `amount`.
   * Unwritten points are written first, so they count.
   */
  async give(from: Person, to: { subject: string }, amount: number): Promise<boolean> {
    await this.ledger.flush()
    const now = this.now()
    const cid = from.community_id
    const moved = await this.storage.transaction(async (tx) => {
      const { changes } =
        await tx.execute(sql`update reputation_scores set points = points - ${amount}, updated_at = ${now}
        where community_id = ${cid} and subject = ${from.subject} and points >= ${amount}`)
      if (changes === 0) return false
      await tx.execute(sql`insert into reputation_scores (community_id, subject, points, updated_at)
        values (${cid}, ${to.subject}, ${amount}, ${now})
        on conflict (community_id, subject) do update set points = reputation_scores.points + excluded.points,
          updated_at = excluded.updated_at`)
      await tx.execute(sql`insert into reputation_history (community_id, subject, delta, reason, events, actor, created_at)
        values (${cid}, ${from.subject}, ${-amount}, 'give', 1, ${to.subject}, ${now}),
               (${cid}, ${to.subject}, ${amount}, 'give', 1, ${from.subject}, ${now})`)
      return true
    })
    if (moved) {
      this.#known.delete(`${cid}\u0000${from.subject}`)
      this.#known.delete(`${cid}\u0000${to.subject}`)
    }
    return moved
  }
}
