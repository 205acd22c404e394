/**
 * The execution log: every execution lands in command_executions, written by group commit. Rows are queued;
 * when no write is in flight the queue is written at the end of the current event-loop turn, and while one
 * is in flight the next batch gathers behind it, so batches grow with the load (one transaction each).
 * `add()` hands back a promise that settles when that row's batch is committed: the events API answers only
 * after it, so an acknowledged execution survives a crash of the process.
 */
import type { Logger } from '../../runtime/logger.js'
import { isRowRefused } from '../../runtime/storage/faults.js'
import type { ExecutionWriter } from './execution-writer.js'

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
  /** Rows per transaction at most (default 2,000); a longer queue is written in several batches. */
  readonly maxBatch?: number
  /** Rows kept for retry while the database is down (default 100,000); the oldest beyond are dropped. */
  readonly maxQueued?: number
  /** Retry of rows whose batch failed, when no new row triggers a write first (default 1,000 ms). */
  readonly retryMs?: number
}

/** One batch being gathered: its rows and the promise its callers wait on. */
class Batch {
  readonly rows: ExecutionRecord[] = []
  readonly done: Promise<void>
  resolve!: () => void
  reject!: (error: Error) => void
  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
    // Callers that do not wait (in-process use, retries) must not turn a failed batch into an unhandled rejection.
    this.done.catch(() => {})
  }
}

export class ExecutionLog {
  /** Rows of failed batches, written first by the next batch (no caller waits on them any more). */
  #retry: ExecutionRecord[] = []
  #open = new Batch()
  /** Batches that reached maxBatch, oldest first: written before the open one. */
  #full: Batch[] = []
  #writing: Promise<void> | undefined
  #scheduled = false
  #timer: NodeJS.Timeout | undefined
  #closed = false
  #dropped = 0
  /** Rows the database refused for their data (logged, not retried). */
  #refused = 0
  /** Set from the first failed write until the next successful one: one log line per outage. */
  #failing = false
  readonly #maxBatch: number
  readonly #maxQueued: number
  readonly #retryMs: number

  constructor(
    private readonly writer: ExecutionWriter,
    private readonly log: Logger,
    options: ExecutionLogOptions = {},
  ) {
    this.#maxBatch = options.maxBatch ?? 2000
    this.#maxQueued = options.maxQueued ?? 100_000
    this.#retryMs = options.retryMs ?? 1000
  }

  /** Rows not yet committed (queued or being retried). */
  get pending(): number {
    let n = this.#open.rows.length + this.#retry.length
    for (const b of this.#full) n += b.rows.length
    return n
  }

  /** Session of a queued (not yet written) execution, if any. */
  pendingSession(executionId: string): string | undefined {
    const match = (r: ExecutionRecord) => r.execution_id === executionId
    for (const b of [this.#open, ...this.#full]) {
      const row = b.rows.find(match)
      if (row) return row.session_id
    }
    return this.#retry.find(match)?.session_id
  }

  /** Queues a row; the promise resolves once it is committed and rejects if its batch could not be written. */
  add(record: ExecutionRecord): Promise<void> {
    const batch = this.#open
    batch.rows.push(record)
    if (batch.rows.length >= this.#maxBatch) {
      this.#full.push(batch)
      this.#open = new Batch()
    }
    this.#schedule()
    return batch.done
  }

  /** Writes everything queued so far; resolves when it is in the database (or its write failed). */
  async flush(): Promise<void> {
    while (this.#writing || this.pending > 0) {
      if (this.#writing) await this.#writing
      else if (!(await this.#writeNext())) return
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return
    this.#scheduled = true
    // End of this turn: every event answered in the same turn shares the transaction.
    setImmediate(() => {
      this.#scheduled = false
      if (!this.#writing) void this.#writeNext()
    })
  }

  /** Starts the next batch; false when nothing was written because the batch failed. */
  #writeNext(): Promise<boolean> {
    clearTimeout(this.#timer)
    this.#timer = undefined
    let batch = this.#full.shift()
    if (!batch) {
      batch = this.#open
      this.#open = new Batch()
    }
    const retried = this.#retry.splice(0, Math.max(0, this.#maxBatch - batch.rows.length))
    const rows = retried.length > 0 ? [...retried, ...batch.rows] : batch.rows
    if (rows.length === 0) {
      batch.resolve()
      return Promise.resolve(true)
    }
    const written = this.writer.write(rows).then(
      () => {
        batch.resolve()
        if (this.#failing) {
          this.#failing = false
          this.log.info({ dropped: this.#dropped }, 'execution log: writes recovered')
        }
        return true
      },
      (err: Error) => {
        batch.reject(err)
        if (!isRowRefused(err)) {
          this.#keepForRetry(rows, err)
          return false
        }
        return this.#writeOneByOne(rows).then(() => false)
      },
    )
    this.#writing = written.then(() => {
      this.#writing = undefined
      // Rows gathered while this batch was in flight go next, at once.
      if (this.#full.length > 0 || this.#open.rows.length > 0) this.#schedule()
    })
    return written
  }

  /**
   * A batch the database refused for its data (a row it can never take, such as text with a NUL character
   * on Postgres): each row is written on its own, so one bad row neither blocks the others nor every batch
   * after it. Refused rows are dropped and logged; rows that fail for another reason wait for the retry.
   */
  async #writeOneByOne(rows: readonly ExecutionRecord[]): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as ExecutionRecord
      try {
        await this.writer.write([row])
      } catch (err) {
        if (!isRowRefused(err)) {
          this.#keepForRetry(rows.slice(i), err as Error)
          return
        }
        this.#refused++
        if (this.#refused === 1 || this.#refused % 100 === 0)
          this.log.error(
            { err, execution_id: row.execution_id, session_id: row.session_id, refused: this.#refused },
            'execution log: the database refused a row; it is dropped',
          )
      }
    }
  }

  /** The rows of a failed batch stay queued for the next write (bounded), and a retry is planned. */
  #keepForRetry(rows: ExecutionRecord[], err: Error): void {
    this.#retry.unshift(...rows)
    const over = this.#retry.length - this.#maxQueued
    if (over > 0) {
      this.#retry.splice(0, over)
      this.#dropped += over
    }
    if (this.#closed) return
    if (!this.#failing) {
      this.#failing = true
      this.log.error({ err, rows: rows.length }, 'execution log write failed; will retry until the database answers')
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined
      this.#schedule()
    }, this.#retryMs)
    this.#timer.unref()
  }

  /** Flushes everything queued (one retry on failure); rows that still cannot be written are logged. */
  async close(): Promise<void> {
    this.#closed = true
    await this.flush()
    if (this.pending > 0) await this.flush()
    clearTimeout(this.#timer)
    if (this.pending > 0) this.log.error({ rows: this.pending }, 'execution log: rows could not be written at stop')
    await this.writer.close()
  }
}
