/**
 * The outbound queue of a collector (see types.ts `OutboundQueue`): per-channel sliding-window budgets,
 * priorities (moderation > reply > announcement, FIFO within a priority), bounded with the lowest
 * priority dropped first. One send in flight per channel, so a channel's messages keep their order.
 * Metrics: `waddlebot_outbound_sent_total{platform}`, `waddlebot_outbound_dropped_total{platform,reason}`
 * and `waddlebot_outbound_queue_depth{platform}`.
 */
import type { Counter } from 'prom-client'
import { Counter as PromCounter } from 'prom-client'
import { metricsRegistry, outboundDrops, outboundQueueDepth } from '../../runtime/metrics.js'
import type { OutboundItem, OutboundPriority, OutboundQueue } from './types.js'

/** Messages a collector sent to its platform. */
export const outboundSent: Counter =
  (metricsRegistry.getSingleMetric('waddlebot_outbound_sent_total') as Counter | undefined) ??
  new PromCounter({
    name: 'waddlebot_outbound_sent_total',
    help: 'Outbound messages sent by a collector',
    labelNames: ['platform'],
    registers: [metricsRegistry],
  })

/** Why an item left the queue without being sent (the `reason` label of the drop counter). */
export type DropReason = 'queue_full' | 'too_old' | 'send_failed' | 'closed'

/** Rank of each priority: lower is sent first, dropped last. */
export const PRIORITY_RANK: Readonly<Record<OutboundPriority, number>> = { moderation: 0, reply: 1, announcement: 2 }

export interface Budget {
  readonly limit: number
  readonly windowMs: number
}

/** The timer functions the queue uses; tests pass a fake clock's. */
export interface QueueTimers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface OutboundQueueOptions<T> {
  /** Delivers one item to the platform; a rejection drops the item (reason `send_failed`). */
  readonly send: (item: OutboundItem<T>) => Promise<void>
  /** Budget of a channel without its own (`setBudget`). */
  readonly defaultBudget: Budget
  /** Items held at most (default 1000). */
  readonly maxSize?: number
  /** Label of the metrics. */
  readonly platform: string
  /** Items waiting longer than this are dropped (reason `too_old`); default: kept until sent. */
  readonly maxAgeMs?: number
  /** Called for every dropped item (logging). */
  readonly onDrop?: (item: OutboundItem<T>, reason: DropReason, error?: unknown) => void
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number
  readonly timers?: QueueTimers
}

interface Entry<T> {
  readonly item: OutboundItem<T>
  readonly seq: number
  readonly at: number
}

/** A FIFO with O(1) push and shift (an array and a head index, compacted as it empties). */
class Fifo<E> {
  #items: E[] = []
  #head = 0
  get size(): number {
    return this.#items.length - this.#head
  }
  peek(): E | undefined {
    return this.#items[this.#head]
  }
  push(e: E): void {
    this.#items.push(e)
  }
  shift(): E | undefined {
    if (this.#head >= this.#items.length) return undefined
    const e = this.#items[this.#head]
    this.#items[this.#head++] = undefined as E
    if (this.#head === this.#items.length) {
      this.#items = []
      this.#head = 0
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return e
  }
  drain(): E[] {
    const rest = this.#items.slice(this.#head)
    this.#items = []
    this.#head = 0
    return rest
  }
}

/** One channel's waiting items: a FIFO per priority, in PRIORITY_RANK order. */
type ChannelQueue<T> = Fifo<Entry<T>>[]

const realTimers: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

function checkBudget(budget: Budget): Budget {
  if (!Number.isInteger(budget.limit) || budget.limit < 1 || !(budget.windowMs > 0)) {
    throw new RangeError(
      `outbound budget must be a positive limit per positive window, got ${budget.limit} / ${budget.windowMs} ms`,
    )
  }
  return { limit: budget.limit, windowMs: budget.windowMs }
}

/**
 * Creates an outbound queue.
 * @example
 * const queue = createOutboundQueue({ platform: 'twitch', defaultBudget: { limit: 20, windowMs: 30_000 }, send: (i) => client.say(i.channel, i.payload) })
 * queue.enqueue({ channel: '#chan', priority: 'reply', payload: 'pong' })
 */
export function createOutboundQueue<T>(
  options: OutboundQueueOptions<T>,
): OutboundQueue<T> & { budgetOf(channel: string): Budget } {
  const now = options.now ?? Date.now
  const timers = options.timers ?? realTimers
  const maxSize = options.maxSize ?? 1000
  const labels = { platform: options.platform }
  const defaultBudget = checkBudget(options.defaultBudget)
  const budgets = new Map<string, Budget>()
  /** Start times of recent sends per channel, oldest first. */
  const sentAt = new Map<string, number[]>()
  const inFlight = new Set<string>()
  const inFlightDone = new Set<Promise<void>>()
  /** Waiting items per channel; a channel is present while it has any. */
  const waiting = new Map<string, ChannelQueue<T>>()
  let size = 0
  let seq = 0
  let timer: unknown
  let timerAt = Number.POSITIVE_INFINITY
  let closed = false
  const idleWaiters = new Set<() => void>()

  const budgetOf = (channel: string): Budget => budgets.get(channel) ?? defaultBudget

  /** Takes the head of `fifo` out of the queue (the caller sends or drops it). */
  function take(channel: string, q: ChannelQueue<T>, fifo: Fifo<Entry<T>>): Entry<T> {
    const entry = fifo.shift()!
    size--
    outboundQueueDepth.dec(labels)
    if (q.every((f) => f.size === 0)) waiting.delete(channel)
    return entry
  }

  function drop(entry: Entry<T>, reason: DropReason, error?: unknown): void {
    outboundDrops.inc({ ...labels, reason })
    options.onDrop?.(entry.item, reason, error)
  }

  /** When `channel` may send next (now or later), pruning sends that left the window. */
  function nextSlot(channel: string, t: number): number {
    const { limit, windowMs } = budgetOf(channel)
    const times = sentAt.get(channel) ?? []
    while (times.length > 0 && times[0]! <= t - windowMs) times.shift()
    if (times.length === 0) sentAt.delete(channel)
    return times.length < limit ? t : times[times.length - limit]! + windowMs
  }

  function settleIdle(): void {
    if (size > 0 || inFlight.size > 0) return
    for (const resolve of idleWaiters) resolve()
    idleWaiters.clear()
  }

  function schedule(at: number): void {
    if (at >= timerAt) return
    if (timer !== undefined) timers.clearTimeout(timer)
    timerAt = at
    timer = timers.setTimeout(
      () => {
        timer = undefined
        timerAt = Number.POSITIVE_INFINITY
        pumpAll()
      },
      Math.max(0, at - now()),
    )
  }

  function start(entry: Entry<T>, t: number): void {
    const channel = entry.item.channel
    inFlight.add(channel)
    const times = sentAt.get(channel) ?? []
    times.push(t)
    sentAt.set(channel, times)
    const done = Promise.resolve()
      .then(() => options.send(entry.item))
      .then(
        () => outboundSent.inc(labels),
        (error: unknown) => drop(entry, 'send_failed', error),
      )
      .finally(() => {
        inFlight.delete(channel)
        inFlightDone.delete(done)
        pump(channel)
        settleIdle()
      })
    inFlightDone.add(done)
  }

  /**
   * Sends `channel`'s next item if its budget allows and nothing of it is in flight (dropping items past
   * `maxAgeMs` on the way); otherwise arms a wake-up for when it may. Returns when it may send next.
   */
  function pumpChannel(channel: string, t: number): number {
    const q = waiting.get(channel)
    if (q === undefined || inFlight.has(channel)) return Number.POSITIVE_INFINITY
    if (options.maxAgeMs !== undefined) {
      for (const fifo of q) {
        while (fifo.size > 0 && t - fifo.peek()!.at > options.maxAgeMs) drop(take(channel, q, fifo), 'too_old')
      }
      if (!waiting.has(channel)) return Number.POSITIVE_INFINITY
    }
    const slot = nextSlot(channel, t)
    if (slot > t) return slot
    const fifo = q.find((f) => f.size > 0)!
    start(take(channel, q, fifo), t)
    return Number.POSITIVE_INFINITY
  }

  /** One channel's turn (an enqueue, a finished send, a budget change): the other channels are unaffected. */
  function pump(channel: string): void {
    if (closed) return
    const wake = pumpChannel(channel, now())
    if (wake !== Number.POSITIVE_INFINITY) schedule(wake)
    settleIdle()
  }

  /** Every waiting channel's turn (the wake-up timer); schedules the next wake-up for the earliest blocked one. */
  function pumpAll(): void {
    if (closed) return
    const t = now()
    let wake = Number.POSITIVE_INFINITY
    for (const channel of [...waiting.keys()]) wake = Math.min(wake, pumpChannel(channel, t))
    if (wake !== Number.POSITIVE_INFINITY) schedule(wake)
    settleIdle()
  }

  /** The item dropped when the queue is full: the lowest priority, and the oldest within it. */
  function evictionCandidate(): { channel: string; q: ChannelQueue<T>; fifo: Fifo<Entry<T>> } | undefined {
    let best: { channel: string; q: ChannelQueue<T>; fifo: Fifo<Entry<T>>; rank: number; seq: number } | undefined
    for (const [channel, q] of waiting) {
      for (let rank = q.length - 1; rank >= 0; rank--) {
        const head = q[rank]!.peek()
        if (head === undefined) continue
        if (!best || rank > best.rank || (rank === best.rank && head.seq < best.seq))
          best = { channel, q, fifo: q[rank]!, rank, seq: head.seq }
        break
      }
    }
    return best
  }

  return {
    enqueue(item) {
      if (closed) {
        drop({ item, seq: -1, at: now() }, 'closed')
        return { accepted: false, dropped: item }
      }
      let dropped: OutboundItem<T> | undefined
      if (size >= maxSize) {
        // The lowest priority, oldest entry goes, unless the new item ranks lower still.
        const victim = evictionCandidate()!
        if (PRIORITY_RANK[item.priority] > PRIORITY_RANK[victim.fifo.peek()!.item.priority]) {
          drop({ item, seq: -1, at: now() }, 'queue_full')
          return { accepted: false, dropped: item }
        }
        const entry = take(victim.channel, victim.q, victim.fifo)
        drop(entry, 'queue_full')
        dropped = entry.item
      }
      let q = waiting.get(item.channel)
      if (q === undefined) {
        q = Object.values(PRIORITY_RANK).map(() => new Fifo<Entry<T>>())
        waiting.set(item.channel, q)
      }
      q[PRIORITY_RANK[item.priority]]!.push({ item, seq: seq++, at: now() })
      size++
      outboundQueueDepth.inc(labels)
      pump(item.channel)
      return dropped ? { accepted: true, dropped } : { accepted: true }
    },

    setBudget(channel, budget) {
      budgets.set(channel, checkBudget(budget))
      pump(channel)
    },

    budgetOf,

    depth: () => size,

    drain(timeoutMs) {
      if (size === 0 && inFlight.size === 0) return Promise.resolve()
      return new Promise<void>((resolve) => {
        let handle: unknown
        const done = () => {
          if (handle !== undefined) timers.clearTimeout(handle)
          idleWaiters.delete(done)
          resolve()
        }
        idleWaiters.add(done)
        if (timeoutMs !== undefined) handle = timers.setTimeout(done, timeoutMs)
      })
    },

    async close() {
      if (closed) return
      closed = true
      if (timer !== undefined) timers.clearTimeout(timer)
      for (const q of waiting.values()) {
        for (const entry of q.flatMap((f) => f.drain())) {
          outboundQueueDepth.dec(labels)
          drop(entry, 'closed')
        }
      }
      waiting.clear()
      size = 0
      await Promise.allSettled([...inFlightDone])
      for (const resolve of idleWaiters) resolve()
      idleWaiters.clear()
    },
  }
}
