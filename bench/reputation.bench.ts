/**
 * reputation under chat load (issue 15): 5,000 chat events/s from 500 people across 20 channels go through
 * the router pipeline in process with the reputation module hosted. Reported: the rate reached, the most
 * points any person earned against the per-minute cap, database statements and transactions per event
 * (writes are batched), and the pipeline's CPU cost per event with reputation ÷ the same load through a
 * router without it, measured in the same run (and, to tell the router's part from reputation's, through a
 * router delivering chat to an empty handler). `--pg` runs it on Postgres + Redis (a fresh database).
 */
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import type { ReputationService } from '../src/modules/reputation/service.js'
import routerModule from '../src/modules/router/index.js'
import { startRuntime } from '../src/runtime/host.js'
import { defineModule } from '../src/runtime/module.js'
import type { Catalog } from '../src/runtime/registry.js'
import { sql } from '../src/runtime/storage/sql.js'
import { benchProject, round } from './lib/project.js'

/** A module whose parallel chat handler does nothing: what the router's delivery of chat to a module costs. */
const noopChat = defineModule({
  name: 'noop-chat',
  version: '0.0.0',
  kind: 'interaction',
  summary: 'bench: an empty chat handler',
  events: [{ name: 'noop', types: ['chatMessage'], mode: 'parallel', priority: 1000, run: () => undefined }],
})
const catalog: Catalog = [
  ...builtinCatalog,
  { name: 'noop-chat', kind: 'interaction', port: 8199, summary: 'bench', load: async () => noopChat },
]

export interface ReputationBenchResult {
  readonly target_eps: number
  /** With reputation. */
  readonly eps: number
  readonly events: number
  readonly people: number
  readonly cap_per_minute: number
  /** Minutes (clock minutes) the run touched: a person may earn the cap in each. */
  readonly minutes: number
  readonly max_points_per_person: number
  readonly within_caps: boolean
  readonly statements_per_event: number
  readonly transactions_per_event: number
  readonly cache_calls_per_event: number
  /** CPU µs per event with reputation, and without (same load, same run). */
  readonly cpu_us_per_event: number
  readonly baseline_cpu_us_per_event: number
  readonly cost_ratio: number
  /** CPU µs per event through a router delivering chat to an empty parallel handler (same load). */
  readonly noop_cpu_us_per_event: number
}

const PEOPLE = 500
const event = (i: number) => ({
  platform: 'local' as const,
  server_id: 's',
  channel_id: `c${i % 20}`,
  user_id: `u${i % PEOPLE}`,
  user_name: `user${i % PEOPLE}`,
  message: `just chatting about the game tonight ${i}`,
  message_type: 'chatMessage',
})

/** At most this many events in flight: a slower backend lowers the rate reached instead of queueing without end. */
const MAX_IN_FLIGHT = 512

/**
 * Sends `total` events at `rate`/s (in 10 ms ticks, not waiting for earlier ticks, up to MAX_IN_FLIGHT
 * outstanding); resolves when all are done.
 */
async function paced(process: (i: number) => Promise<unknown>, total: number, rate: number) {
  const perTick = Math.max(1, Math.round(rate / 100))
  const inflight: Promise<unknown>[] = []
  let outstanding = 0
  const started = performance.now()
  const cpu = process_cpu()
  for (let sent = 0, tick = 0; sent < total; tick++) {
    const due = started + tick * 10
    const wait = due - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    for (let k = 0; k < perTick && sent < total; k++) {
      while (outstanding >= MAX_IN_FLIGHT) await new Promise((r) => setImmediate(r))
      outstanding++
      inflight.push(
        process(sent++).finally(() => {
          outstanding--
        }),
      )
    }
  }
  await Promise.all(inflight)
  const secs = (performance.now() - started) / 1000
  return { eps: total / secs, cpuUs: process_cpu() - cpu }
}

function process_cpu(): number {
  const u = globalThis.process.cpuUsage()
  return u.user + u.system
}

type Mode = 'router' | 'noop' | 'reputation'

async function run(mode: Mode, total: number, rate: number, env: Record<string, string>) {
  const withReputation = mode === 'reputation'
  const project = benchProject(env)
  const runtime = await startRuntime({
    catalog,
    settings: project.settings,
    modules: mode === 'router' ? ['router'] : ['router', mode === 'noop' ? 'noop-chat' : 'reputation'],
    listen: false,
  })
  try {
    const pipeline = runtime.module(routerModule).ctx.state.pipeline
    await pipeline.index.reload()
    const send = (i: number) => pipeline.process(inboundEventSchema.parse(event(i)))
    // Warm up (JIT, entity cache) outside the measurement, on other people so caps are not used up.
    for (let i = 0; i < 2000; i++) await pipeline.process(inboundEventSchema.parse({ ...event(i), user_id: `w${i}` }))
    const rep = withReputation
      ? (runtime.hosted.find((h) => h.def.name === 'reputation')!.ctx.state as ReputationService)
      : undefined
    await rep?.ledger.flush()
    const before = rep ? { ...rep.ledger.stats, calls: rep.caps.calls } : undefined
    const firstMinute = Math.floor(Date.now() / 60_000)
    const out = await paced(send, total, rate)
    const lastMinute = Math.floor(Date.now() / 60_000)
    await pipeline.executions.flush()
    if (!rep || !before) return { ...out, maxPoints: 0, minutes: 1, cap: 0, statements: 0, transactions: 0, calls: 0 }
    await rep.ledger.flush()
    const s = rep.ledger.stats
    const row = await runtime.storage.one<{ m: unknown }>(
      sql`select max(points) as m from reputation_scores where subject like 'local:u%'`,
    )
    return {
      ...out,
      maxPoints: Number(row?.m ?? 0),
      minutes: lastMinute - firstMinute + 1,
      cap: rep.settings ? (await rep.settings.get('default')).message_cap_per_minute : 0,
      statements: s.statements - before.statements,
      transactions: s.flushes - before.flushes,
      calls: rep.caps.calls - before.calls,
    }
  } finally {
    await runtime.stop()
    project.cleanup()
  }
}

/** A fresh database (and cache prefix) for one run: the runs must not see each other's registered modules. */
export type FreshBackend = () => Promise<{ env: Record<string, string>; drop(): Promise<void> }>

const sqliteFresh: FreshBackend = async () => ({ env: {}, drop: async () => {} })

async function runFresh(mode: Mode, total: number, rate: number, fresh: FreshBackend) {
  const backend = await fresh()
  try {
    return await run(mode, total, rate, backend.env)
  } finally {
    await backend.drop()
  }
}

export async function benchReputation({
  quick,
  fresh = sqliteFresh,
}: {
  quick: boolean
  /** Default: SQLite (each run has its own project folder and file). */
  fresh?: FreshBackend
}): Promise<ReputationBenchResult> {
  const rate = 5000
  const total = quick ? 2_500 : 25_000
  const without = await runFresh('router', total, rate, fresh)
  const noop = await runFresh('noop', total, rate, fresh)
  const withRep = await runFresh('reputation', total, rate, fresh)
  const cpu = withRep.cpuUs / total
  const base = without.cpuUs / total
  const maxPoints = withRep.maxPoints
  const minutes = withRep.minutes
  const cap = withRep.cap
  return {
    target_eps: rate,
    eps: round(withRep.eps, 0),
    events: total,
    people: PEOPLE,
    cap_per_minute: cap,
    minutes,
    max_points_per_person: maxPoints,
    within_caps: maxPoints <= cap * minutes,
    statements_per_event: round(withRep.statements / total, 5),
    transactions_per_event: round(withRep.transactions / total, 5),
    cache_calls_per_event: round(withRep.calls / total, 4),
    cpu_us_per_event: round(cpu, 1),
    baseline_cpu_us_per_event: round(base, 1),
    cost_ratio: round(cpu / base, 2),
    noop_cpu_us_per_event: round(noop.cpuUs / total, 1),
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick')
  let fresh: FreshBackend | undefined
  if (process.argv.includes('--pg')) {
    const { freshPostgresUrl } = await import('../test/helpers/pg.js')
    const { REDIS_TEST_URL } = await import('../test/helpers/backends.js')
    fresh = async () => {
      const pg = await freshPostgresUrl()
      return {
        env: { DATABASE_URL: pg.url, REDIS_URL: REDIS_TEST_URL, WADDLEBOT_REDIS_PREFIX: `wbbench:${randomUUID()}:` },
        drop: pg.drop,
      }
    }
  }
  console.log(JSON.stringify(await benchReputation({ quick, ...(fresh ? { fresh } : {}) })))
}
