/**
 * Test support (not used at run time): a manual clock with timers, for driving outbound queues without
 * wall-clock waits. `advance(ms)` fires due timers in time order, letting promises settle after each.
 */
import type { QueueTimers } from '../../src/collectors/core/outbound-queue.js'

interface Timer {
  readonly id: number
  readonly at: number
  readonly fn: () => void
}

export interface FakeClock extends QueueTimers {
  now(): number
  /** Moves the clock forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<void>
  /** Lets pending promise callbacks run (no time passes). */
  settle(): Promise<void>
  pending(): number
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start
  let ids = 0
  let timers: Timer[] = []
  const settle = async () => {
    for (let i = 0; i < 5; i++) await tick()
  }
  return {
    now: () => t,
    setTimeout(fn, ms) {
      const timer = { id: ++ids, at: t + Math.max(0, ms), fn }
      timers.push(timer)
      return timer.id
    },
    clearTimeout(handle) {
      timers = timers.filter((x) => x.id !== handle)
    },
    async advance(ms) {
      const end = t + ms
      await settle()
      for (;;) {
        const due = timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0]
        if (!due) break
        timers = timers.filter((x) => x !== due)
        t = Math.max(t, due.at)
        due.fn()
        await settle()
      }
      t = end
      await settle()
    },
    settle,
    pending: () => timers.length,
  }
}
