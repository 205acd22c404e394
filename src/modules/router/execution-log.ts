/**
 * The execution log: every execution lands in command_executions without blocking the hot path.
 * Rows are queued and written in batches (one transaction each); close() flushes what is queued.
 */
import type { Logger } from '../../runtime/logger.js'
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

  constructor(private readonly writer: ExecutionWriter, private readonly log: Logger, options: ExecutionLogOptions = {}) {
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
      await this.writer.write(batch)
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
    await this.writer.close()
  }
}
