/**
 * SQLite's WAL checkpoints, off the event loop. By default SQLite checkpoints inside the commit that takes
 * the WAL past 1,000 pages, on the connection that committed: with the execution log written on the event
 * loop's connection, a stall of several ms (copying ≈ 4 MB into the database file, two fsyncs) about three
 * times a second at 5,000 executions/s, and every request whose row waited for that commit waited with it
 * (docs/performance.md).
 *
 * Here, once the WAL file has reached that size, a thread of its own (sqlite-checkpointer.mjs, its own
 * connection) runs a PASSIVE checkpoint every `intervalMs` while the connection goes on writing, and the
 * connection's own automatic checkpoint is off. A checkpoint beside writes never leaves the WAL fully copied,
 * and SQLite starts the WAL file over (instead of growing it) only when a write begins on a fully copied WAL.
 * So once the WAL holds RESTART_FRAMES pages, the connection is held for one more checkpoint, of the few pages
 * written meanwhile (its callers' statements wait; the event loop does not), and its next write starts the
 * WAL over.
 *
 * If the thread fails or stops answering, the connection checkpoints itself again, as SQLite does by default.
 */
import { statSync } from 'node:fs'
import { Worker } from 'node:worker_threads'

/** How often the thread checkpoints while the connection writes. */
export const CHECKPOINT_MS = 500
/** WAL pages (4 KiB each) after which the WAL is started over, as SQLite itself does (a WAL 4 times as long
 * made every statement slower: the event loop's p99 delay at 5,000 events/s went 2.3–2.7 → 3.5–4.7 ms). */
export const RESTART_FRAMES = 1000
/** The WAL file size from which the thread is worth its ≈ 15 MB (a bot that writes little never starts it). */
const START_BYTES = RESTART_FRAMES * 4096
/** A checkpoint that does not answer in this time is given up, and the connection checkpoints itself. */
const ANSWER_MS = 10_000

export interface CheckpointTarget {
  /** The database file (its WAL is `<filename>-wal`). */
  readonly filename: string
  /** A number that grows with every write on the connection. */
  writes(): number
  /** Waits until no statement runs on the connection and holds it; the returned function releases it. */
  hold(): Promise<() => void>
  /** Turns the connection's automatic checkpoint (inside a commit, on the event loop) on or off. */
  autoCheckpoint(on: boolean): void
}

/** What `PRAGMA wal_checkpoint(PASSIVE)` answers: pages in the WAL, and how many of them are copied. */
interface CheckpointAnswer {
  readonly busy: number
  readonly log: number
  readonly checkpointed: number
}

interface Call {
  readonly resolve: (answer: CheckpointAnswer) => void
  readonly reject: (error: Error) => void
  readonly timer: NodeJS.Timeout
}

export class Checkpoints {
  #worker: Worker | undefined
  readonly #timer: NodeJS.Timeout
  readonly #calls = new Map<number, Call>()
  #next = 0
  #seen = -1
  #running: Promise<void> | undefined
  #failed = false
  #closed = false
  /** Rounds run, and rounds that held the connection to start the WAL over. */
  readonly stats = { rounds: 0, restarts: 0 }

  constructor(
    private readonly target: CheckpointTarget,
    private readonly intervalMs = CHECKPOINT_MS,
  ) {
    this.#timer = setInterval(() => {
      this.#running ??= this.#round().finally(() => {
        this.#running = undefined
      })
    }, this.intervalMs)
    this.#timer.unref()
  }

  /** Whether the thread runs the checkpoints (false before the WAL is large enough, and after a failure). */
  get active(): boolean {
    return this.#worker !== undefined && !this.#failed
  }

  async #round(): Promise<void> {
    if (this.#failed || this.#closed) return
    const writes = this.target.writes()
    if (writes === this.#seen) return
    this.#seen = writes
    if (!this.#worker && !this.#start()) return
    try {
      const first = await this.#checkpoint()
      this.stats.rounds++
      if (first.log < RESTART_FRAMES || this.#closed) return
      const release = await this.target.hold()
      try {
        await this.#checkpoint()
      } finally {
        release()
      }
      this.stats.restarts++
    } catch {
      this.#fail()
    }
  }

  /** Starts the thread once the WAL file is as large as SQLite's own checkpoint would let it grow. */
  #start(): boolean {
    let size = 0
    try {
      size = statSync(`${this.target.filename}-wal`).size
    } catch {
      return false // no WAL yet
    }
    if (size < START_BYTES) return false
    const worker = new Worker(new URL('./sqlite-checkpointer.mjs', import.meta.url), {
      workerData: { filename: this.target.filename },
    })
    worker.unref()
    worker.on('message', (m: CheckpointAnswer & { id: number; ok: boolean; error?: string }) => {
      const call = this.#calls.get(m.id)
      if (!call) return
      this.#calls.delete(m.id)
      clearTimeout(call.timer)
      if (m.ok) call.resolve(m)
      else call.reject(new Error(m.error ?? 'checkpoint failed'))
    })
    worker.on('error', () => this.#fail())
    worker.on('exit', () => {
      if (!this.#closed) this.#fail()
    })
    this.#worker = worker
    this.target.autoCheckpoint(false)
    return true
  }

  #checkpoint(message: object = {}): Promise<CheckpointAnswer> {
    const worker = this.#worker
    if (!worker || this.#failed) return Promise.reject(new Error('the checkpoint thread is not running'))
    return new Promise((resolve, reject) => {
      const id = this.#next++
      const timer = setTimeout(() => {
        this.#calls.delete(id)
        reject(new Error(`no checkpoint answer in ${ANSWER_MS} ms`))
      }, ANSWER_MS)
      timer.unref()
      this.#calls.set(id, { resolve, reject, timer })
      worker.postMessage({ ...message, id })
    })
  }

  /** The thread is given up: the connection checkpoints itself again. */
  #fail(): void {
    if (this.#failed) return
    this.#failed = true
    if (!this.#closed) this.target.autoCheckpoint(true)
    for (const call of this.#calls.values()) {
      clearTimeout(call.timer)
      call.reject(new Error('the checkpoint thread stopped'))
    }
    this.#calls.clear()
    void this.#worker?.terminate()
  }

  /** Stops the rounds and the thread (its connection closed first, so the storage's is the last one). */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#timer)
    await this.#running
    const worker = this.#worker
    if (!worker || this.#failed) return
    await this.#checkpoint({ close: true }).catch(() => {})
    await worker.terminate()
  }
}
