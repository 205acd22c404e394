/** The router's last minute of traffic: 60 one-second buckets of counts, outcomes and latencies per module. */

/** Outcomes that count as errors. */
export const ERROR_OUTCOMES: ReadonlySet<string> = new Set(['module_error', 'timeout'])

/** Latency samples kept per module per second (enough for a p99, bounded under load). */
const SAMPLES_PER_BUCKET = 1000

interface Bucket {
  sec: number
  count: number
  errors: number
  outcomes: Map<string, number>
  latency: Map<string, number[]>
  moduleEvents: Map<string, number>
  moduleErrors: Map<string, number>
}

/** Per-module figures over the window. */
export interface ModuleWindow {
  readonly p50_ms: number | null
  readonly p99_ms: number | null
  readonly events: number
  readonly errors: number
}

export interface WindowSnapshot {
  /** 60 counts, oldest first; the last is the current (partial) second. */
  readonly per_second: number[]
  readonly events: number
  readonly errors: number
  readonly outcomes: Record<string, number>
  readonly p50_ms: number | null
  readonly p99_ms: number | null
  readonly modules: Map<string, ModuleWindow>
}

const empty = (sec: number): Bucket => ({
  sec,
  count: 0,
  errors: 0,
  outcomes: new Map(),
  latency: new Map(),
  moduleEvents: new Map(),
  moduleErrors: new Map(),
})

/** Nearest-rank percentile of ascending `sorted` (null when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1]!
}

/** A rolling one-minute window plus totals since start. */
export class RollingStats {
  readonly #buckets: Bucket[] = Array.from({ length: 60 }, () => empty(-1))
  total = 0
  errorsTotal = 0

  #bucket(sec: number): Bucket {
    const i = sec % 60
    if (this.#buckets[i]!.sec !== sec) this.#buckets[i] = empty(sec)
    return this.#buckets[i]!
  }

  /** Records one processed event at `time` (epoch ms). */
  record(module: string, outcome: string, latencyMs: number, time = Date.now()): void {
    const b = this.#bucket(Math.floor(time / 1000))
    const error = ERROR_OUTCOMES.has(outcome)
    this.total++
    b.count++
    b.outcomes.set(outcome, (b.outcomes.get(outcome) ?? 0) + 1)
    const samples = b.latency.get(module) ?? []
    if (samples.length < SAMPLES_PER_BUCKET) samples.push(latencyMs)
    b.latency.set(module, samples)
    b.moduleEvents.set(module, (b.moduleEvents.get(module) ?? 0) + 1)
    if (error) {
      this.errorsTotal++
      b.errors++
      b.moduleErrors.set(module, (b.moduleErrors.get(module) ?? 0) + 1)
    }
  }

  /** The last 60 seconds ending at `now`. */
  snapshot(now = Date.now()): WindowSnapshot {
    const current = Math.floor(now / 1000)
    const perSecond: number[] = []
    const outcomes: Record<string, number> = {}
    const latency = new Map<string, number[]>()
    const counts = new Map<string, { events: number; errors: number }>()
    let events = 0
    let errors = 0
    for (let sec = current - 59; sec <= current; sec++) {
      const b = this.#buckets[sec % 60]!
      if (b.sec !== sec) {
        perSecond.push(0)
        continue
      }
      perSecond.push(b.count)
      events += b.count
      errors += b.errors
      for (const [o, n] of b.outcomes) outcomes[o] = (outcomes[o] ?? 0) + n
      for (const [m, samples] of b.latency) {
        latency.set(m, (latency.get(m) ?? []).concat(samples))
        const c = counts.get(m) ?? { events: 0, errors: 0 }
        c.events += b.moduleEvents.get(m) ?? 0
        c.errors += b.moduleErrors.get(m) ?? 0
        counts.set(m, c)
      }
    }
    const modules = new Map<string, ModuleWindow>()
    const all: number[] = []
    for (const [m, samples] of latency) {
      samples.sort((a, b) => a - b)
      all.push(...samples)
      const c = counts.get(m)!
      modules.set(m, {
        p50_ms: percentile(samples, 50),
        p99_ms: percentile(samples, 99),
        events: c.events,
        errors: c.errors,
      })
    }
    all.sort((a, b) => a - b)
    return {
      per_second: perSecond,
      events,
      errors,
      outcomes,
      p50_ms: percentile(all, 50),
      p99_ms: percentile(all, 99),
      modules,
    }
  }
}
