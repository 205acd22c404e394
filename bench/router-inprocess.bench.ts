/**
 * The full router pipeline in process: session, string matching over 1,000 rules, command lookup,
 * permission, rate limit, a built-in command, execution log. Baseline: the minimum any router must do for
 * the same event (zod-validate it, look the command up in a Map, build the reply), same run.
 */
import { randomUUID } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import routerModule from '../src/modules/router/index.js'
import { startRuntime } from '../src/runtime/host.js'
import { sql } from '../src/runtime/storage/sql.js'
import { benchProject, percentile, round } from './lib/project.js'

export interface InProcessResult {
  eps: number
  /** One event at a time: the latency a single chat message sees. */
  p99_ms: number
  /** With 16 events in flight (the throughput run): includes waiting behind the other 15. */
  p99_ms_at_16: number
  baseline_eps: number
  baseline_p99_ms: number
  rules: number
}

const event = (i: number) => ({
  platform: 'local' as const,
  server_id: 's',
  channel_id: `c${i % 20}`,
  user_id: `u${i % 500}`,
  user_name: `user${i % 500}`,
  message: i % 4 === 0 ? 'just chatting about the game tonight' : '!ping',
  message_type: 'chatMessage',
})

/** Inserts `count` moderation word rules that ordinary chat does not trigger. */
export async function seedRules(
  storage: import('../src/runtime/storage/types.js').Storage,
  count: number,
): Promise<void> {
  const now = Date.now()
  await storage.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      await tx.execute(sql`insert into stringmatch (pattern, match_type, case_sensitive, action, action_value, priority, enabled, created_at, updated_at)
        values (${`badword${i}x`}, 'word', 0, ${i % 2 ? 'delete' : 'warn'}, null, 100, 1, ${now}, ${now})`)
    }
  })
}

async function drive(
  process: (i: number) => Promise<unknown>,
  total: number,
  concurrency: number,
): Promise<{ eps: number; p99: number }> {
  const lat: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        const t = performance.now()
        await process(i)
        lat.push(performance.now() - t)
      }
    }),
  )
  const secs = (performance.now() - started) / 1000
  return { eps: total / secs, p99: percentile(lat, 99) }
}

export async function benchRouterInProcess({
  quick,
  env = {},
}: {
  quick: boolean
  env?: Record<string, string>
}): Promise<InProcessResult> {
  const project = benchProject(env)
  const runtime = await startRuntime({
    catalog: builtinCatalog,
    settings: project.settings,
    modules: ['router'],
    listen: false,
  })
  try {
    await seedRules(runtime.storage, 1000)
    const pipeline = runtime.module(routerModule).ctx.state.pipeline
    await pipeline.index.reload()
    const total = quick ? 20_000 : 100_000
    // Warm up (the JIT, the entity and command caches) the same way in both modes, outside the measurement.
    await drive((i) => pipeline.process(inboundEventSchema.parse(event(i))), quick ? 10_000 : 20_000, 16)
    const ours = await drive((i) => pipeline.process(inboundEventSchema.parse(event(i))), total, 16)
    const single = await drive((i) => pipeline.process(inboundEventSchema.parse(event(i))), total / 4, 1)
    const commands = new Map([['!ping', { module: 'router' }]])
    const baseline = await drive(
      async (i) => {
        const e = inboundEventSchema.parse(event(i))
        const word = e.message?.startsWith('!') ? e.message.split(' ')[0]! : undefined
        const found = word ? commands.get(word) : undefined
        return { session_id: randomUUID(), responses: found ? [{ type: 'chat', text: 'pong' }] : [] }
      },
      total,
      16,
    )
    const baselineSingle = await drive(
      async (i) => {
        const e = inboundEventSchema.parse(event(i))
        const word = e.message?.startsWith('!') ? e.message.split(' ')[0]! : undefined
        const found = word ? commands.get(word) : undefined
        return { session_id: randomUUID(), responses: found ? [{ type: 'chat', text: 'pong' }] : [] }
      },
      total / 4,
      1,
    )
    await pipeline.executions.flush()
    return {
      eps: round(ours.eps, 0),
      p99_ms: round(single.p99),
      p99_ms_at_16: round(ours.p99),
      baseline_eps: round(baseline.eps, 0),
      baseline_p99_ms: round(baselineSingle.p99),
      rules: 1000,
    }
  } finally {
    await runtime.stop()
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchRouterInProcess({ quick: process.argv.includes('--quick') })))
}
