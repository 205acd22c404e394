/**
 * Twitch's own /shoutout, queued within Twitch's limits: one shoutout per channel every 2 minutes, and the
 * same target at most once an hour per channel. A request is stored in `shoutout_twitch_queue` with the
 * earliest time the limits allow; `drain()` sends what is due (one replica at a time, under a cache lock) and
 * moves the rest to their next allowed time. The limits are computed from the rows already sent, so they hold
 * across restarts and replicas; waiting rows survive a restart and go out on the first drain after it.
 * A 429 from Twitch (its own bookkeeping differs) reschedules, a network error or 5xx retries a few times,
 * a missing scope (401) or a refusal (403: the bot is not a moderator there; 400: the channel is offline) fails
 * the row with Twitch's reason.
 */
import { HelixError, type HelixCreatorsClient } from '../../collectors/twitch/public.js'
import type { Cache } from '../../runtime/cache/types.js'
import type { Logger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import type { ShoutoutStore, TwitchOutcome } from './store.js'

export const CHANNEL_GAP_MS = 2 * 60_000
export const TARGET_GAP_MS = 60 * 60_000
const RETRY_MS = 30_000
const MAX_ATTEMPTS = 5

export interface QueuedShoutout {
  readonly communityId: string
  readonly historyId: number
  readonly broadcasterId: string
  readonly targetId: string
  readonly targetLogin: string
  readonly moderatorId: string
}

interface Row {
  id: number
  community_id: string
  history_id: number
  broadcaster_id: string
  target_id: string
  target_login: string
  moderator_id: string
  attempts: number
  not_before: number
}

export interface TwitchQueueOptions {
  readonly db: Storage
  readonly cache: Cache
  readonly store: ShoutoutStore
  readonly log: Logger
  readonly helix: () => HelixCreatorsClient | undefined
  readonly now: () => number
  /** Told when Twitch refused for a missing scope (the bot identity is looked up again). */
  readonly onMissingScope?: () => void
}

export class TwitchShoutoutQueue {
  constructor(private readonly o: TwitchQueueOptions) {}

  /** The earliest time Twitch's limits allow a shoutout from `broadcasterId` to `targetId`. */
  async earliest(broadcasterId: string, targetId: string): Promise<number> {
    const row = await this.o.db.one<{ any_at: number | null; target_at: number | null }>(sql`select
      max(sent_at) as any_at,
      max(case when target_id = ${targetId} then sent_at end) as target_at
      from shoutout_twitch_queue where broadcaster_id = ${broadcasterId} and status = 'sent'`)
    const anyAt = row?.any_at == null ? undefined : Number(row.any_at)
    const targetAt = row?.target_at == null ? undefined : Number(row.target_at)
    return Math.max(
      anyAt === undefined ? 0 : anyAt + CHANNEL_GAP_MS,
      targetAt === undefined ? 0 : targetAt + TARGET_GAP_MS,
    )
  }

  /** Queues one shoutout and drains; says whether it went out now or waits (and until when). */
  async submit(s: QueuedShoutout): Promise<{ outcome: TwitchOutcome; at: number; reason?: string }> {
    const now = this.o.now()
    const at = Math.max(now, await this.earliest(s.broadcasterId, s.targetId))
    const row = await this.o.db.one<{ id: number }>(sql`insert into shoutout_twitch_queue
      (community_id, history_id, broadcaster_id, target_id, target_login, moderator_id, status, not_before, created_at)
      values (${s.communityId}, ${s.historyId}, ${s.broadcasterId}, ${s.targetId}, ${s.targetLogin}, ${s.moderatorId},
        'queued', ${at}, ${now}) returning id`)
    await this.drain()
    const after = await this.o.db.one<{ status: string; not_before: number; last_error: string | null }>(
      sql`select status, not_before, last_error from shoutout_twitch_queue where id = ${row!.id}`,
    )
    const outcome: TwitchOutcome = after?.status === 'sent' ? 'sent' : after?.status === 'failed' ? 'failed' : 'queued'
    return {
      outcome,
      at: Number(after?.not_before ?? at),
      ...(after?.last_error ? { reason: after.last_error } : {}),
    }
  }

  /** Rows waiting, oldest first (for the REST API and stats). */
  async waiting(community?: string): Promise<(Row & { created_at: number })[]> {
    const rows = await this.o.db.query<Row & { created_at: number }>(sql`select id, community_id, history_id,
      broadcaster_id, target_id, target_login, moderator_id, attempts, not_before, created_at
      from shoutout_twitch_queue where status = 'queued'
      ${community === undefined ? sql.empty : sql`and community_id = ${community}`} order by not_before, id`)
    return rows.map((r) => ({
      ...r,
      id: Number(r.id),
      not_before: Number(r.not_before),
      created_at: Number(r.created_at),
    }))
  }

  /** Sends every due shoutout Twitch's limits allow now; returns how many went out. */
  async drain(): Promise<number> {
    const lock = await this.o.cache.tryLock('shoutout:twitch-queue', 30_000)
    if (!lock) return 0
    let sent = 0
    try {
      const due = await this.o.db.query<Row>(sql`select id, community_id, history_id, broadcaster_id, target_id,
        target_login, moderator_id, attempts, not_before from shoutout_twitch_queue
        where status = 'queued' and not_before <= ${this.o.now()} order by not_before, id`)
      for (const row of due) if (await this.#sendOne(row)) sent++
    } finally {
      await lock.release()
    }
    return sent
  }

  async #sendOne(row: Row): Promise<boolean> {
    const now = this.o.now()
    const allowed = await this.earliest(row.broadcaster_id, row.target_id)
    if (allowed > now) {
      await this.o.db.execute(sql`update shoutout_twitch_queue set not_before = ${allowed} where id = ${row.id}`)
      return false
    }
    const helix = this.o.helix()
    if (!helix) return this.#fail(row, 'unavailable', 'Twitch is not configured (TWITCH_CLIENT_ID, TWITCH_BOT_TOKEN)')
    try {
      await helix.sendShoutout(row.broadcaster_id, row.target_id, row.moderator_id)
    } catch (error) {
      const status = error instanceof HelixError ? error.status : 0
      const message = (error as Error).message
      if (status === 429) return this.#later(row, now + CHANNEL_GAP_MS, message, false)
      if (status === 401) {
        this.o.onMissingScope?.()
        return this.#fail(row, 'no_scope', message)
      }
      if ((status === 0 || status >= 500) && row.attempts + 1 < MAX_ATTEMPTS)
        return this.#later(row, now + RETRY_MS, message, true)
      return this.#fail(row, 'failed', message)
    }
    await this.o.db.execute(sql`update shoutout_twitch_queue set status = 'sent', sent_at = ${now},
      attempts = attempts + 1 where id = ${row.id}`)
    await this.o.store.setTwitchOutcome(Number(row.history_id), 'sent')
    this.o.log.info({ community: row.community_id, target: row.target_login }, 'Twitch shoutout sent')
    return true
  }

  async #later(row: Row, at: number, reason: string, attempt: boolean): Promise<false> {
    await this.o.db.execute(sql`update shoutout_twitch_queue set not_before = ${at}, last_error = ${reason},
      attempts = attempts + ${attempt ? 1 : 0} where id = ${row.id}`)
    return false
  }

  async #fail(row: Row, outcome: TwitchOutcome, reason: string): Promise<false> {
    await this.o.db.execute(sql`update shoutout_twitch_queue set status = 'failed', last_error = ${reason},
      attempts = attempts + 1 where id = ${row.id}`)
    await this.o.store.setTwitchOutcome(Number(row.history_id), outcome)
    this.o.log.warn({ community: row.community_id, target: row.target_login, reason }, 'Twitch shoutout not sent')
    return false
  }
}
