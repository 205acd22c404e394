/**
 * Hands events to module observers (ModuleDefinition.observers) in batches: one queue per observer, sent
 * every few milliseconds or at 500 events, in process or as `POST /api/v1/observe`. No execution, no
 * execution-log row, nothing waits on it; a batch that fails is logged (once a minute per module) and lost.
 */
import type { ObservedEvent } from '../../contract/execution.js'
import type { Logger } from '../../runtime/logger.js'
import type { ModuleClients } from '../../runtime/module-clients.js'
import type { CommandRow } from './command-index.js'

interface Queue {
  readonly module: string
  readonly observer: string
  events: ObservedEvent[]
}

export interface ObserverQueueOptions {
  /** How long the first event of a batch waits for others (default 10 ms). */
  readonly flushMs?: number
  /** Events per batch at most (default 500). */
  readonly maxBatch?: number
}

export class ObserverQueue {
  #queues = new Map<string, Queue>()
  #timer: NodeJS.Timeout | undefined
  #inFlight = new Set<Promise<void>>()
  #warned = new Map<string, number>()
  readonly #flushMs: number
  readonly #maxBatch: number
  /** Batches handed over and events in them. */
  readonly stats = { batches: 0, events: 0 }

  constructor(
    private readonly modules: ModuleClients,
    private readonly log: Logger,
    options: ObserverQueueOptions = {},
  ) {
    this.#flushMs = options.flushMs ?? 10
    this.#maxBatch = options.maxBatch ?? 500
  }

  /** Queues `event` for every observer row in `rows`. */
  add(rows: readonly CommandRow[], event: ObservedEvent): void {
    for (const row of rows) {
      let q = this.#queues.get(row.name)
      if (!q) {
        q = { module: row.module, observer: row.name.slice(row.module.length + 1), events: [] }
        this.#queues.set(row.name, q)
      }
      q.events.push(event)
      if (q.events.length >= this.#maxBatch) this.#send(q)
    }
    this.#timer ??= setTimeout(() => this.flush(), this.#flushMs)
  }

  /** Sends every queued batch now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    for (const q of this.#queues.values()) if (q.events.length > 0) this.#send(q)
  }

  /** Sends what is queued and waits for the batches in flight (at stop; tests wait on it). */
  async drain(): Promise<void> {
    this.flush()
    await Promise.allSettled([...this.#inFlight])
  }

  #send(q: Queue): void {
    const events = q.events
    q.events = []
    const client = this.modules.get(q.module)
    if (!client.observe) return
    this.stats.batches++
    this.stats.events += events.length
    const sent: Promise<void> = client
      .observe(q.observer, events)
      .catch((err: unknown) => {
        const last = this.#warned.get(q.module) ?? 0
        if (Date.now() - last < 60_000) return
        this.#warned.set(q.module, Date.now())
        this.log.warn(
          { err, target_module: q.module, observer: q.observer, events: events.length },
          'observer batch lost',
        )
      })
      .finally(() => this.#inFlight.delete(sent))
    this.#inFlight.add(sent)
  }
}
