/**
 * What a custom command costs the in-process pipeline (SQLite): `!hi` (an alias, "Hello {user}! {arg1}")
 * against `!ping` (a plain built-in command) measured in the same run, interleaved event by event (in
 * rotating order) so load on the machine hits both alike; the median of several rounds is reported.
 * Both run the whole router path: lookup, permission, one execution, the execution log. The alias adds the catch-all lookup, the alias module's Map lookup, its permission check
 * and the expansion. Also reported: `!p` → `!ping` (one re-entry), which runs two commands.
 */
import { loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import routerModule from '../src/modules/router/index.js'
import { startRuntime } from '../src/runtime/host.js'
import { sql } from '../src/runtime/storage/sql.js'
import { benchProject, round } from './lib/project.js'

export interface AliasBenchResult {
  /** Mean µs per event. */
  readonly plain_us: number
  readonly alias_us: number
  readonly reentry_us: number
  /** alias − plain, µs per event (the target: ≤ 20). */
  readonly alias_overhead_us: number
  readonly alias_ratio: number
  readonly reentry_overhead_us: number
  /** The 1-minute load average when the run ended (a shared machine inflates every figure alike). */
  readonly load: number
  /** CPU µs per event of `!ping`, and what the alias adds to it (blocks of one kind, median of rounds). */
  readonly cpu_plain_us: number
  readonly cpu_alias_overhead_us: number
}

const event = (message: string, i: number) =>
  inboundEventSchema.parse({
    platform: 'local',
    server_id: 's',
    channel_id: `c${i % 20}`,
    user_id: `u${i % 500}`,
    user_name: `user${i % 500}`,
    message,
    message_type: 'chatMessage',
  })

/** The median of `rounds` rounds' mean µs per event. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

export async function benchAlias({ quick }: { quick: boolean }): Promise<AliasBenchResult> {
  const project = benchProject()
  const runtime = await startRuntime({
    catalog: builtinCatalog,
    settings: project.settings,
    modules: ['router', 'alias'],
    listen: false,
  })
  try {
    const now = Date.now()
    for (const [name, response] of [
      ['hi', 'Hello {user}! {arg1}'],
      ['p', '!ping'],
    ])
      await runtime.storage.execute(sql`insert into alias_commands (community_id, name, response, created_by, created_at, updated_at)
        values ('default', ${name}, ${response}, 'bench', ${now}, ${now})`)
    const pipeline = runtime.module(routerModule).ctx.state.pipeline
    const messages = { plain: '!ping', alias: '!hi there', reentry: '!p' } as const
    const kinds = Object.keys(messages) as (keyof typeof messages)[]
    const check = await pipeline.process(event(messages.alias, 0))
    if (check.responses[0]?.type !== 'chat' || check.responses[0].text !== 'Hello user0! there')
      throw new Error(`alias bench: unexpected answer ${JSON.stringify(check)}`)
    const perRound = quick ? 2_000 : 5_000
    const rounds = quick ? 5 : 9
    const samples: Record<keyof typeof messages, number[]> = { plain: [], alias: [], reentry: [] }
    for (let round = -1; round < rounds; round++) {
      const spent = { plain: 0, alias: 0, reentry: 0 }
      for (let i = 0; i < perRound; i++) {
        // The order rotates, so no kind always runs first (right after the previous triple's log writes).
        for (let k = 0; k < kinds.length; k++) {
          const kind = kinds[(i + k) % kinds.length]!
          const e = event(messages[kind], i)
          const t = performance.now()
          await pipeline.process(e)
          spent[kind] += performance.now() - t
        }
      }
      await pipeline.executions.flush()
      // Round -1 warms up the JIT and the caches.
      if (round >= 0) for (const kind of kinds) samples[kind].push((spent[kind] * 1000) / perRound)
    }
    // CPU time per event, in blocks of one kind (process.cpuUsage is too coarse per event): unlike wall time it
    // does not grow while the process waits for a core, so it shows the cost on a busy shared machine too.
    const cpu: Record<keyof typeof messages, number[]> = { plain: [], alias: [], reentry: [] }
    for (let round = 0; round < rounds; round++) {
      for (const kind of round % 2 ? [...kinds].reverse() : kinds) {
        const before = process.cpuUsage()
        for (let i = 0; i < perRound; i++) await pipeline.process(event(messages[kind], i))
        await pipeline.executions.flush()
        const used = process.cpuUsage(before)
        cpu[kind].push((used.user + used.system) / perRound)
      }
    }
    const plain = median(samples.plain)
    const alias = median(samples.alias)
    const reentry = median(samples.reentry)
    return {
      plain_us: round(plain, 2),
      alias_us: round(alias, 2),
      reentry_us: round(reentry, 2),
      alias_overhead_us: round(alias - plain, 2),
      alias_ratio: round(alias / plain, 3),
      reentry_overhead_us: round(reentry - plain, 2),
      load: round(loadavg()[0] ?? 0, 1),
      cpu_plain_us: round(median(cpu.plain), 2),
      cpu_alias_overhead_us: round(median(cpu.alias) - median(cpu.plain), 2),
    }
  } finally {
    await runtime.stop()
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchAlias({ quick: process.argv.includes('--quick') })))
}
