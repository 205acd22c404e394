/**
 * The execution log: every execution lands in command_executions without blocking the hot path.
 * Rows are queued and written in batches (one transaction each); close() flushes what is queued.
 */
import type { Logger } from '../../runtime/logger.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'

export interface ExecutionRecord {
  execution_id: string
  command_id: string
  command: string
  module: string
  entity_id: string
  user_id: string
  user_name: string
  session_id: string
  message_content: string
  args: string
  trigger: string
  status: 'success' | 'failed' | 'timeout'
  response: string | null
  error_message: string | null
  execution_time_ms: number
  created_at: number
  completed_at: number
}

export interface ExecutionLogOptions {
  /** Flush when this many rows are queued (default 200). */
  readonly batchSize?: number
  /** Flush at least this often (default 50 ms). */
  readonly intervalMs?: number
}

export class ExecutionLog {
  #queue: ExecutionRecord[] = []
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  #closed = false
  readonly #batchSize: number
  readonly #intervalMs: number

  constructor(private readonly storage: Storage, private readonly log: Logger, options: ExecutionLogOptions = {}) {
    this.#batchSize = options.batchSize ?? 200
    this.#intervalMs = options.intervalMs ?? 50
  }

  get pending(): number {
    return this.#queue.length
  }

  /** Session of a queued (not yet written) execution, if any. */
  pendingSession(executionId: string): string | undefined {
    return this.#queue.find((r) => r.execution_id === executionId)?.session_id
  }

  add(record: ExecutionRecord): void {
    this.#queue.push(record)
    if (this.#queue.length >= this.#batchSize) void this.flush()
    else this.#timer ??= setTimeout(() => void this.flush(), this.#intervalMs)
  }

  /** Writes everything queued so far; resolves when it is in the database. */
  flush(): Promise<void> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#queue
    this.#queue = []
    if (batch.length === 0) return this.#flushing
    this.#flushing = this.#flushing.then(() => this.#write(batch))
    return this.#flushing
  }

  async #write(batch: ExecutionRecord[]): Promise<void> {
    try {
      await this.storage.transaction(async (tx) => {
        // One static statement per row: compiled and prepared once, cheap to bind (faster than a wide VALUES list).
        for (const r of batch) {
          await tx.execute(sql`insert into command_executions (execution_id, command_id, command, module, entity_id, user_id,
              user_name, session_id, message_content, args, trigger, status, response, error_message, execution_time_ms, retry_count,
              created_at, completed_at)
            values (${r.execution_id}, ${r.command_id}, ${r.command}, ${r.module}, ${r.entity_id}, ${r.user_id}, ${r.user_name},
              ${r.session_id}, ${r.message_content}, ${r.args}, ${r.trigger}, ${r.status}, ${r.response}, ${r.error_message},
              ${r.execution_time_ms}, 0, ${r.created_at}, ${r.completed_at})`)
        }
      })
    } catch (err) {
      // Keep the rows for the next flush rather than losing them; the log says why.
      this.log.error({ err, rows: batch.length }, 'execution log write failed; will retry')
      this.#queue.unshift(...batch)
      if (!this.#closed) this.#timer ??= setTimeout(() => void this.flush(), 1000)
    }
  }

  /** Flushes everything queued (one retry on failure); rows that still cannot be written are logged. */
  async close(): Promise<void> {
    this.#closed = true
    await this.flush()
    if (this.#queue.length > 0) await this.flush()
    if (this.#queue.length > 0) this.log.error({ rows: this.#queue.length }, 'execution log: rows could not be written at stop')
  }
}
