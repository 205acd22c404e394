/**
 * The overlay access log (`browser_source_access_log`): page loads, WebSocket connects and disconnects, with
 * the token's first characters, the client address and user agent. Writes never delay an overlay; `close()`
 * waits for the writes in flight and ignores later ones (a stopping server). Rows older than the configured
 * retention are pruned.
 */
import type { Logger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import { type OverlayType, tokenPrefix } from './tokens.js'

/** One access. */
export interface AccessEntry {
  readonly communityId: string
  readonly type: OverlayType
  readonly token: string
  readonly ip: string | undefined
  readonly userAgent: string | undefined
  readonly event: 'page' | 'connect' | 'disconnect'
  readonly at: number
}

/** Fire-and-forget writer of the access log: rows are written in order, in batches, by one writer at a time. */
export class AccessLog {
  #queue: AccessEntry[] = []
  #writer: Promise<void> | undefined
  #closed = false

  constructor(
    private readonly db: Queryable,
    private readonly log: Logger,
  ) {}

  /** Queues a row; a failed write is logged, never thrown. */
  record(entry: AccessEntry): void {
    if (this.#closed) return
    this.#queue.push(entry)
    this.#writer ??= this.#drain().finally(() => {
      this.#writer = undefined
    })
  }

  /** Resolves when every queued row has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.#writer) await this.#writer
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, 500)
      const rows = batch.map(
        (e) =>
          sql`(${e.communityId}, ${e.type}, ${tokenPrefix(e.token)}, ${e.ip ?? null}, ${e.userAgent?.slice(0, 300) ?? null}, ${e.event}, ${e.at})`,
      )
      try {
        await this.db.execute(sql`insert into browser_source_access_log (community_id, type, token_prefix, ip, user_agent, event, created_at)
          values ${sql.join(rows)}`)
      } catch (err) {
        this.log.warn({ err, rows: batch.length }, 'overlay access log write failed')
      }
    }
  }

  /** Deletes rows older than `before` (epoch ms); returns how many. */
  async prune(before: number): Promise<number> {
    return (await this.db.execute(sql`delete from browser_source_access_log where created_at < ${before}`)).changes
  }

  /** Waits for the writes in flight; later records are dropped. */
  async close(): Promise<void> {
    this.#closed = true
    await this.flush()
  }
}
