/**
 * The write buffer: points are added in memory and written in batches, so chat does not cost one database
 * write per message. Every `flush_ms` (or sooner when `max_pending` people have unwritten points) one
 * transaction upserts each person's total (multi-row statements of up to 200 people) and appends one history
 * row per person and reason. A failed write keeps the points for the next flush; teardown flushes.
 * Reads add this process's unwritten points to the stored ones.
 */
import type { Logger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Sql, Storage } from '../../runtime/storage/types.js'

/** Who earned points: the person's key and how they were last seen. */
export interface Person {
  readonly community_id: string
  /** identity id, else `<platform>:<user id>`. */
  readonly subject: string
  readonly name?: string | undefined
  readonly display_name?: string | undefined
  readonly platform?: string | undefined
  readonly platform_user_id?: string | undefined
}

interface Pending {
  person: Person
  delta: number
  /** reason → [delta, events] */
  reasons: Map<string, [number, number]>
}

export interface LedgerStats {
  /** Events that changed someone's points. */
  scored: number
  /** Transactions written. */
  flushes: number
  /** Statements written (upserts + history inserts). */
  statements: number
  /** Score rows upserted. */
  rows: number
}

const CHUNK = 200
const keyOf = (communityId: string, subject: string) => `${communityId}\u0000${subject}`

export class Ledger {
  #pending = new Map<string, Pending>()
  #flushing: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  /** Called with each person's written delta after a flush (the automod score cache follows it). */
  onWritten: ((communityId: string, subject: string, delta: number) => void) | undefined
  readonly stats: LedgerStats = { scored: 0, flushes: 0, statements: 0, rows: 0 }

  constructor(
    private readonly storage: Storage,
    private readonly log: Logger,
    private readonly options: { flushMs: number; maxPending: number; now: () => number },
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.flush().catch(() => {}), this.options.flushMs)
    this.#timer.unref()
  }

  async close(): Promise<void> {
    clearInterval(this.#timer)
    await this.flush()
  }

  get pendingPeople(): number {
    return this.#pending.size
  }

  add(person: Person, delta: number, reason: string): void {
    if (delta === 0) return
    this.stats.scored++
    const key = keyOf(person.community_id, person.subject)
    let p = this.#pending.get(key)
    if (!p) {
      p = { person, delta: 0, reasons: new Map() }
      this.#pending.set(key, p)
    } else if (person.name) p.person = person
    p.delta += delta
    const r = p.reasons.get(reason)
    if (r) {
      r[0] += delta
      r[1]++
    } else p.reasons.set(reason, [delta, 1])
    if (this.#pending.size >= this.options.maxPending && !this.#flushing) void this.flush().catch(() => {})
  }

  /** Puts back the points of a failed write (its events were counted already). */
  #merge(back: Pending): void {
    const key = keyOf(back.person.community_id, back.person.subject)
    const p = this.#pending.get(key)
    if (!p) {
      this.#pending.set(key, back)
      return
    }
    p.delta += back.delta
    for (const [reason, [delta, events]] of back.reasons) {
      const r = p.reasons.get(reason)
      if (r) {
        r[0] += delta
        r[1] += events
      } else p.reasons.set(reason, [delta, events])
    }
  }

  /** Unwritten points of a person in this process. */
  pendingOf(communityId: string, subject: string): number {
    return this.#pending.get(keyOf(communityId, subject))?.delta ?? 0
  }

  hasPending(communityId: string): boolean {
    for (const p of this.#pending.values()) if (p.person.community_id === communityId) return true
    return false
  }

  /** Writes everything buffered so far (waits for a write in progress first). Rejects when the write fails. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {})
    if (this.#pending.size === 0) return
    const batch = this.#pending
    this.#pending = new Map()
    this.#flushing = this.#write([...batch.values()])
      .then(() => {
        for (const p of batch.values()) this.onWritten?.(p.person.community_id, p.person.subject, p.delta)
      })
      .catch((error: unknown) => {
        // Keep the points: merge them back in front of whatever arrived meanwhile.
        for (const p of batch.values()) this.#merge(p)
        this.log.warn({ err: error, people: batch.size }, 'reputation points not written yet; retrying')
        throw error
      })
      .finally(() => {
        this.#flushing = undefined
      })
    await this.#flushing
  }

  async #write(batch: Pending[]): Promise<void> {
    const now = this.options.now()
    const statements: Sql[] = []
    for (let i = 0; i < batch.length; i += CHUNK) {
      const rows = batch.slice(i, i + CHUNK).map(
        ({ person: p, delta }) =>
          sql`(${p.community_id}, ${p.subject}, ${delta}, ${p.name?.toLowerCase() ?? null}, ${p.display_name ?? null},
            ${p.platform ?? null}, ${p.platform_user_id ?? null}, ${now})`,
      )
      statements.push(sql`insert into reputation_scores
        (community_id, subject, points, name, display_name, platform, platform_user_id, updated_at)
        values ${sql.join(rows)}
        on conflict (community_id, subject) do update set points = reputation_scores.points + excluded.points,
          name = coalesce(excluded.name, reputation_scores.name),
          display_name = coalesce(excluded.display_name, reputation_scores.display_name),
          platform = coalesce(excluded.platform, reputation_scores.platform),
          platform_user_id = coalesce(excluded.platform_user_id, reputation_scores.platform_user_id),
          updated_at = excluded.updated_at`)
    }
    const history = batch.flatMap(({ person: p, reasons }) =>
      [...reasons].map(
        ([reason, [delta, events]]) => sql`(${p.community_id}, ${p.subject}, ${delta}, ${reason}, ${events}, ${now})`,
      ),
    )
    for (let i = 0; i < history.length; i += CHUNK)
      statements.push(sql`insert into reputation_history (community_id, subject, delta, reason, events, created_at)
        values ${sql.join(history.slice(i, i + CHUNK))}`)
    await this.storage.transaction(async (tx) => {
      for (const s of statements) await tx.execute(s)
    })
    this.stats.flushes++
    this.stats.statements += statements.length
    this.stats.rows += batch.length
  }
}
