/**
 * CPU time per plain chat line through the in-process pipeline with the modules that watch chat
 * (memories, reputation, ai, shoutout) hosted beside the router, as `waddlebot start` hosts them, against
 * the router alone. Run standalone (`node --import tsx bench/chat-cost.bench.ts`); docs/performance.md
 * lists its figures before and after a change. CPU time, not the wall clock: the machine may be shared.
 */
import { pathToFileURL } from 'node:url'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import routerModule from '../src/modules/router/index.js'
import { startRuntime } from '../src/runtime/host.js'
import { benchProject, round } from './lib/project.js'

const event = (i: number) =>
  inboundEventSchema.parse({
    platform: 'local',
    server_id: 's',
    channel_id: `c${i % 20}`,
    user_id: `u${i % 500}`,
    user_name: `user${i % 500}`,
    message: 'just chatting about the game tonight',
    message_type: 'chatMessage',
  })

async function cpuPerChatLine(modules: string[], total: number): Promise<{ us: number; outcome: string }> {
  const project = benchProject()
  const runtime = await startRuntime({ catalog: builtinCatalog, settings: project.settings, modules, listen: false })
  try {
    const pipeline = runtime.module(routerModule).ctx.state.pipeline
    let outcome = ''
    const run = async (n: number) => {
      let next = 0
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < n) outcome = (await pipeline.process(event(next++))).outcome
        }),
      )
      await pipeline.executions.flush()
      await pipeline.observers.drain()
    }
    await run(total / 4)
    const cpu = process.cpuUsage()
    await run(total)
    const used = process.cpuUsage(cpu)
    return { us: round((used.user + used.system) / total, 1), outcome }
  } finally {
    await runtime.stop()
    project.cleanup()
  }
}

export async function benchChatCost({
  quick,
  modules = ['memories', 'reputation', 'ai', 'shoutout'],
}: {
  quick: boolean
  modules?: string[]
}) {
  const total = quick ? 8_000 : 40_000
  const alone = await cpuPerChatLine(['router'], total)
  const watched = await cpuPerChatLine(['router', ...modules], total)
  return {
    router_alone_us: alone.us,
    with_chat_modules_us: watched.us,
    ratio: round(watched.us / alone.us, 2),
    outcome_alone: alone.outcome,
    outcome_with_modules: watched.outcome,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.indexOf('--modules')
  const modules = only > 0 ? process.argv[only + 1]?.split(',') : undefined
  console.log(
    JSON.stringify(await benchChatCost({ quick: process.argv.includes('--quick'), ...(modules ? { modules } : {}) })),
  )
}
