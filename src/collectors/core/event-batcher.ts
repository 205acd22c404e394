/**
 * Gathers a collector's events into `POST /api/v1/events/batch` calls: the first event of a batch waits at
 * most `lingerMs` (default 1 ms) for others, a batch leaves at once when it holds 100 events or 48 KiB, and
 * a batch of one goes to `POST /api/v1/events` (the same request as without batching). Each caller gets its
 * own event's result (the router answers a batch in order), or its own error.
 */
import { type EventResult, eventResultSchema } from '../../contract/router.js'
import { WaddleError } from '../../runtime/errors.js'
import { type JsonReply, replyError, requestJson } from './http.js'

/** The router accepts 1–100 events per batch and 64 KiB per body. */
export const MAX_BATCH_EVENTS = 100
const MAX_BATCH_BYTES = 48 * 1024

interface Waiting {
  readonly json: string
  resolve(result: EventResult): void
  reject(error: unknown): void
}

export interface EventBatcherOptions {
  readonly base: string
  readonly key: string
  readonly timeoutMs: number
  readonly lingerMs: number
  /** Only tests pass one; the default is node:http (src/runtime/http-call.ts). */
  readonly fetch?: typeof fetch | undefined
}

export class EventBatcher {
  #waiting: Waiting[] = []
  #bytes = 0
  #timer: NodeJS.Timeout | undefined
  /** Batches sent and events in them (the bench reports events per request). */
  readonly stats = { requests: 0, events: 0 }

  constructor(private readonly o: EventBatcherOptions) {}

  send(event: unknown): Promise<EventResult> {
    const json = JSON.stringify(event)
    return new Promise<EventResult>((resolve, reject) => {
      this.#waiting.push({ json, resolve, reject })
      this.#bytes += json.length + 1
      if (this.#waiting.length >= MAX_BATCH_EVENTS || this.#bytes >= MAX_BATCH_BYTES) this.flush()
      else this.#timer ??= setTimeout(() => this.flush(), this.o.lingerMs)
    })
  }

  /** Sends what is gathered now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#waiting
    if (batch.length === 0) return
    this.#waiting = []
    this.#bytes = 0
    this.stats.requests++
    this.stats.events += batch.length
    void (batch.length === 1 ? this.#one(batch[0]!) : this.#many(batch))
  }

  async #post(path: string, body: string): Promise<JsonReply> {
    return requestJson(this.o.fetch, `${this.o.base}${path}`, {
      method: 'POST',
      key: this.o.key,
      rawBody: body,
      timeoutMs: this.o.timeoutMs,
    })
  }

  async #one(w: Waiting): Promise<void> {
    try {
      const reply = await this.#post('/api/v1/events', w.json)
      if (reply.status < 200 || reply.status >= 300) throw this.#refused(reply.status, replyError(reply))
      w.resolve(this.#result(reply.status, reply.body))
    } catch (error) {
      w.reject(error)
    }
  }

  async #many(batch: Waiting[]): Promise<void> {
    let results: unknown[]
    try {
      const reply = await this.#post('/api/v1/events/batch', `{"events":[${batch.map((w) => w.json).join(',')}]}`)
      if (reply.status < 200 || reply.status >= 300) throw this.#refused(reply.status, replyError(reply))
      const body = reply.body as { results?: unknown }
      if (!Array.isArray(body?.results) || body.results.length !== batch.length)
        throw this.#refused(reply.status, 'the answer is not one result per event')
      results = body.results
    } catch (error) {
      for (const w of batch) w.reject(error)
      return
    }
    for (const [i, w] of batch.entries()) {
      const slot = results[i] as { error?: { field?: unknown; message?: unknown } }
      if (slot && typeof slot === 'object' && slot.error) {
        const field = String(slot.error.field ?? '').replace(/^events\.\d+\./, '')
        w.reject(this.#refused(400, `${String(slot.error.message ?? 'invalid event')} (field ${field})`))
        continue
      }
      try {
        w.resolve(this.#result(200, slot))
      } catch (error) {
        w.reject(error)
      }
    }
  }

  #result(status: number, body: unknown): EventResult {
    const parsed = eventResultSchema.safeParse(body)
    if (!parsed.success) throw this.#refused(status, 'the answer is not an event result')
    return parsed.data
  }

  #refused(status: number, reason: string): WaddleError {
    return new WaddleError('WB_ROUTER_REFUSED', { url: this.o.base, status, reason })
  }
}
