/**
 * The broker's running state: a reconcile pass on start, every `interval_ms`, and at once on a `kong:keys`
 * notification; passes never overlap (in this process: one waits and runs again once; across replicas: a
 * cache lock). Keeps the last pass's result and error for `/health` and `GET /api/v1/kong/status`.
 */
import type { Cache, Unsubscribe } from '../../runtime/cache/types.js'
import { KONG_CHANNEL } from '../../runtime/kong-outbox.js'
import type { Logger } from '../../runtime/logger.js'
import type { Storage } from '../../runtime/storage/types.js'
import type { KongAdmin } from './kong-admin.js'
import { type PassResult, reconcile } from './reconcile.js'

export interface BrokerStatus {
  mirroring: boolean
  admin_url: string
  passes: number
  last_pass_at: number | null
  last_result: PassResult | null
  last_error: string | null
}

export class Broker {
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: Unsubscribe | undefined
  #running: Promise<PassResult | undefined> | undefined
  #queued: Promise<PassResult | undefined> | undefined
  #closed = false
  readonly status: BrokerStatus

  constructor(
    private readonly deps: {
      db: Storage
      cache: Cache
      kong: KongAdmin | undefined
      serviceKey: string
      log: Logger
      intervalMs: number
    },
  ) {
    this.status = {
      mirroring: deps.kong !== undefined,
      admin_url: deps.kong?.baseUrl ?? '',
      passes: 0,
      last_pass_at: null,
      last_result: null,
      last_error: null,
    }
  }

  async start(): Promise<void> {
    if (!this.deps.kong) return
    this.#unsubscribe = await this.deps.cache.subscribe(KONG_CHANNEL, () => void this.run().catch(() => {}))
    this.#timer = setInterval(() => void this.run().catch(() => {}), this.deps.intervalMs)
    this.#timer.unref()
    void this.run().catch(() => {})
  }

  /** Runs a pass (or joins the one running and runs one more after it); rejects with the pass's error. */
  run(): Promise<PassResult | undefined> {
    if (this.#closed || !this.deps.kong) return Promise.resolve(undefined)
    if (this.#running) {
      // a change seen during a pass may have been read before it: one more pass follows, shared by all waiting
      this.#queued ??= this.#running
        .catch(() => {})
        .then(() => {
          this.#queued = undefined
          return this.run()
        })
      return this.#queued
    }
    this.#running = this.#pass().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #pass(): Promise<PassResult | undefined> {
    const { db, cache, kong, serviceKey, log } = this.deps
    const lock = await cache.tryLock('kong:reconcile', 60_000)
    if (!lock) return undefined // another replica is reconciling; the next interval runs again
    try {
      const result = await reconcile(db, kong!, serviceKey, log)
      Object.assign(this.status, { passes: this.status.passes + 1, last_pass_at: Date.now() })
      this.status.last_result = result
      if (this.status.last_error) log.info('kong admin api answers again; keys are mirrored')
      this.status.last_error = null
      if (result.mirrored || result.removed || result.moved)
        log.info({ ...result }, 'kong consumers and credentials reconciled')
      return result
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      if (this.status.last_error !== message)
        log.warn({ err: message }, 'kong reconcile failed; retrying each interval')
      this.status.last_error = message
      throw error
    } finally {
      await lock.release()
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    if (this.#timer) clearInterval(this.#timer)
    await this.#unsubscribe?.()
    await this.#running?.catch(() => {})
  }
}
