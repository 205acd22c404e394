/**
 * A circuit breaker per execution target: closed → open after N consecutive failed calls, half-open after a
 * cooldown with exactly one trial call, closed again when the trial succeeds. Its state is the prom-client
 * gauge `waddlebot_target_breaker_state{target}` (0 closed, 1 open, 2 half-open).
 */
import { Gauge } from 'prom-client'
import { WaddleError } from '../errors.js'
import { metricsRegistry } from '../metrics.js'

export type BreakerState = 'closed' | 'open' | 'half-open'

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, open: 1, 'half-open': 2 }

/** Breakers alive in this process; the gauge refreshes them on every scrape (open → half-open is time-based). */
const live = new Set<CircuitBreaker>()

const GAUGE = 'waddlebot_target_breaker_state'
export const breakerGauge =
  (metricsRegistry.getSingleMetric(GAUGE) as Gauge | undefined) ??
  new Gauge({
    name: GAUGE,
    help: 'Circuit breaker state per execution target: 0 closed, 1 open, 2 half-open',
    labelNames: ['target'],
    registers: [metricsRegistry],
    collect() {
      for (const b of live) void b.state
    },
  })

export interface BreakerOptions {
  /** Consecutive failed calls that open the circuit (default 5). */
  failureThreshold?: number
  /** How long the circuit stays open before one trial call (default 30 000 ms). */
  cooldownMs?: number
  /** Clock in ms (tests pass a fake one). */
  now?: () => number
}

/** Handed out by `acquire`; report the call's outcome through it exactly once. */
export interface BreakerTicket {
  readonly trial: boolean
  success(): void
  failure(): void
}

export class CircuitBreaker {
  readonly target: string
  readonly failureThreshold: number
  readonly cooldownMs: number
  readonly #now: () => number
  #state: BreakerState = 'closed'
  #failures = 0
  #openedAt = 0
  #trialInFlight = false

  constructor(target: string, options: BreakerOptions = {}) {
    this.target = target
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5)
    this.cooldownMs = Math.max(0, options.cooldownMs ?? 30_000)
    this.#now = options.now ?? Date.now
    live.add(this)
    this.#publish()
  }

  /** The current state; an open circuit whose cooldown has passed reads (and becomes) half-open. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.cooldownMs) this.#set('half-open')
    return this.#state
  }

  /** Consecutive failures counted while closed. */
  get consecutiveFailures(): number {
    return this.#failures
  }

  /**
   * Lets a call through, or throws WB_TARGET_CIRCUIT_OPEN at once: when open, and when half-open with its one
   * trial already running.
   */
  acquire(): BreakerTicket {
    const state = this.state
    if (state === 'closed') return this.#ticket(false)
    if (state === 'half-open' && !this.#trialInFlight) {
      this.#trialInFlight = true
      return this.#ticket(true)
    }
    const left = state === 'open' ? this.cooldownMs - (this.#now() - this.#openedAt) : 0
    throw new WaddleError('WB_TARGET_CIRCUIT_OPEN', {
      target: this.target,
      seconds: Math.max(0, Math.ceil(left / 1000)),
    })
  }

  /** Stops publishing this breaker's state (the target was dropped). */
  dispose(): void {
    live.delete(this)
    breakerGauge.remove({ target: this.target })
  }

  #ticket(trial: boolean): BreakerTicket {
    let settled = false
    const once = (fn: () => void) => () => {
      if (settled) return
      settled = true
      fn()
    }
    return {
      trial,
      success: once(() => this.#onSuccess(trial)),
      failure: once(() => this.#onFailure(trial)),
    }
  }

  #onSuccess(trial: boolean): void {
    if (trial) {
      this.#trialInFlight = false
      this.#failures = 0
      this.#set('closed')
    } else if (this.#state === 'closed') {
      this.#failures = 0
    }
  }

  #onFailure(trial: boolean): void {
    if (trial) {
      this.#trialInFlight = false
      this.#open()
    } else if (this.#state === 'closed') {
      this.#failures += 1
      if (this.#failures >= this.failureThreshold) this.#open()
    }
    // A call admitted while closed that fails after the circuit opened changes nothing.
  }

  #open(): void {
    this.#openedAt = this.#now()
    this.#set('open')
  }

  #set(state: BreakerState): void {
    this.#state = state
    this.#publish()
  }

  #publish(): void {
    if (live.has(this)) breakerGauge.set({ target: this.target }, STATE_VALUE[this.#state])
  }
}
