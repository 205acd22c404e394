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
  const queue: Entry<T>[] = []
  let seq = 0
  let timer: unknown
  let timerAt = Number.POSITIVE_INFINITY
  let closed = false
  const idleWaiters = new Set<() => void>()

  const budgetOf = (channel: string): Budget => budgets.get(channel) ?? defaultBudget
  const order = (a: Entry<T>, b: Entry<T>) =>
    PRIORITY_RANK[a.item.priority] - PRIORITY_RANK[b.item.priority] || a.seq - b.seq

  function remove(entry: Entry<T>): void {
    queue.splice(queue.indexOf(entry), 1)
    outboundQueueDepth.dec(labels)
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
    if (queue.length > 0 || inFlight.size > 0) return
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
        pump()
      },
      Math.max(0, at - now()),
    )
  }

  function start(entry: Entry<T>, t: number): void {
    remove(entry)
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
        pump()
        settleIdle()
      })
    inFlightDone.add(done)
  }

  /** Starts every send the budgets allow now; schedules a wake-up for the earliest blocked channel. */
  function pump(): void {
    if (closed) return
    const t = now()
    if (options.maxAgeMs !== undefined) {
      for (const entry of queue.filter((e) => t - e.at > options.maxAgeMs!)) {
        remove(entry)
        drop(entry, 'too_old')
      }
    }
    const heads = new Map<string, Entry<T>>()
    for (const entry of [...queue].sort(order)) {
      if (!heads.has(entry.item.channel) && !inFlight.has(entry.item.channel)) heads.set(entry.item.channel, entry)
    }
    let wake = Number.POSITIVE_INFINITY
    for (const [channel, entry] of heads) {
      const slot = nextSlot(channel, t)
      if (slot <= t) start(entry, t)
      else wake = Math.min(wake, slot)
    }
    if (wake !== Number.POSITIVE_INFINITY) schedule(wake)
    settleIdle()
  }

  return {
    enqueue(item) {
      if (closed) {
        drop({ item, seq: -1, at: now() }, 'closed')
        return { accepted: false, dropped: item }
      }
      let dropped: OutboundItem<T> | undefined
      if (queue.length >= maxSize) {
        // The lowest priority, oldest entry goes, unless the new item ranks lower still.
        const victim = queue.reduce((worst, e) =>
          PRIORITY_RANK[e.item.priority] > PRIORITY_RANK[worst.item.priority] ||
          (PRIORITY_RANK[e.item.priority] === PRIORITY_RANK[worst.item.priority] && e.seq < worst.seq)
            ? e
            : worst,
        )
        if (PRIORITY_RANK[item.priority] > PRIORITY_RANK[victim.item.priority]) {
          drop({ item, seq: -1, at: now() }, 'queue_full')
          return { accepted: false, dropped: item }
        }
        remove(victim)
        drop(victim, 'queue_full')
        dropped = victim.item
      }
      queue.push({ item, seq: seq++, at: now() })
      outboundQueueDepth.inc(labels)
      pump()
      return dropped ? { accepted: true, dropped } : { accepted: true }
    },

    setBudget(channel, budget) {
      budgets.set(channel, checkBudget(budget))
      pump()
    },

    budgetOf,

    depth: () => queue.length,

    drain(timeoutMs) {
      if (queue.length === 0 && inFlight.size === 0) return Promise.resolve()
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
      for (const entry of [...queue]) {
        remove(entry)
        drop(entry, 'closed')
      }
      await Promise.allSettled([...inFlightDone])
      for (const resolve of idleWaiters) resolve()
      idleWaiters.clear()
    },
  }
}
