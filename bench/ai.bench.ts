/**
 * `!ping` latency through the router while AI answers are pending: the provider (a fake OpenAI-compatible
 * server) sleeps 5 s on every question, so `!ai` must answer the router at once and the answers stay in
 * flight. Baseline: `!ping` through the same router, in the same run, with no AI call pending (before the
 * questions, and again after every answer arrived). Also reported:
 * how long `!ai` itself takes to return to the router (p99). Each p99 is the median of 200-ping block p99s.
 */
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import routerModule from '../src/modules/router/index.js'
import { loadSettings } from '../src/runtime/config.js'
import { startRuntime } from '../src/runtime/host.js'
import { startFakeOpenAi } from '../test/fakes/ai/llm-servers.js'
import { freeOffset } from '../test/helpers/cli.js'
import { benchProject, percentile, round } from './lib/project.js'

export interface AiBenchResult {
  readonly provider_sleep_ms: number
  readonly pending_ai_calls: number
  readonly ping_p99_ms: number
  readonly ping_p99_baseline_ms: number
  readonly ping_p99_ratio: number
  readonly ai_return_p99_ms: number
}

const SLEEP_MS = 5000
/** `!ai` questions in flight while the pings are timed. */
const PENDING = 100

/**
 * The median of the p99s of 200-ping blocks: on a shared machine one scheduler stall lands in one block
 * instead of deciding the whole figure.
 */
function blockP99(samples: readonly number[]): number {
  const blocks: number[] = []
  for (let i = 0; i + 200 <= samples.length; i += 200) blocks.push(percentile(samples.slice(i, i + 200), 99))
  return percentile(blocks, 50)
}

export async function benchAi({ quick }: { quick: boolean }): Promise<AiBenchResult> {
  const llm = await startFakeOpenAi('sk-bench')
  const sleepMs = quick ? 1500 : SLEEP_MS
  llm.delayMs = sleepMs
  const offset = await freeOffset([8000, 8005])
  const env = {
    WADDLEBOT_PORT_OFFSET: String(offset),
    AI_PROVIDER: 'openai',
    OPENAI_BASE_URL: llm.url,
    OPENAI_API_KEY: 'sk-bench',
  }
  const project = benchProject(env)
  writeFileSync(
    `${project.dir}/waddlebot.yaml`,
    'modules:\n  ai: {channel_per_minute: 10000, daily_token_cap: 0, user_daily_token_cap: 0, max_concurrent: 1000}\n',
  )
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router', 'ai'] })
  const pipeline = runtime.module(routerModule).ctx.state.pipeline
  const ev = (message: string, user: string) =>
    inboundEventSchema.parse({
      platform: 'local',
      server_id: 's',
      channel_id: 'c',
      user_id: user,
      user_name: user,
      message,
      message_type: 'chatMessage',
    })
  const time = async (message: string, user: string): Promise<number> => {
    const t = performance.now()
    const r = await pipeline.process(ev(message, user))
    if (r.outcome !== 'command') throw new Error(`${message}: ${r.outcome}`)
    return performance.now() - t
  }
  try {
    const n = quick ? 200 : 2000
    // Warm up both paths (JIT, the execution-log writer, the provider connection), then let the warm-up
    // answers arrive so the baseline runs with nothing pending.
    for (let i = 0; i < 1000; i++) {
      if (i % 50 === 0) await time(`!ai warm-up ${i}`, `warm-${i}`)
      await time('!ping', 'warm')
    }
    const ai = runtime.hosted.find((h) => h.def.name === 'ai')!.ctx.state as { jobs: Set<Promise<void>> }
    await Promise.allSettled([...ai.jobs])
    const baseline: number[] = []
    for (let i = 0; i < n; i++) baseline.push(await time('!ping', 'pinger'))
    // Questions whose answers stay pending (the provider sleeps), then the same pings.
    const aiReturn: number[] = []
    const started = performance.now()
    for (let i = 0; i < PENDING; i++) aiReturn.push(await time(`!ai question number ${i}`, `asker-${i}`))
    for (let i = 0; i < 200 && llm.requests.length < aiReturn.length + 20; i++)
      await new Promise((r) => setTimeout(r, 5))
    if (llm.requests.length < aiReturn.length + 20)
      throw new Error(`the provider got ${llm.requests.length - 20} of ${aiReturn.length} questions`)
    const withPending: number[] = []
    for (let i = 0; i < n; i++) withPending.push(await time('!ping', 'pinger'))
    if (performance.now() - started >= sleepMs) throw new Error('answers were no longer pending')
    // The baseline again once every answer has arrived, so that warm-up drift does not favour either phase.
    await Promise.allSettled([...ai.jobs])
    if (llm.requests.length < aiReturn.length + 20) throw new Error('answers missing')
    for (let i = 0; i < n; i++) baseline.push(await time('!ping', 'pinger'))
    const p99 = blockP99(withPending)
    const base = blockP99(baseline)
    return {
      provider_sleep_ms: sleepMs,
      pending_ai_calls: aiReturn.length,
      ping_p99_ms: round(p99),
      ping_p99_baseline_ms: round(base),
      ping_p99_ratio: round(p99 / base, 2),
      ai_return_p99_ms: round(percentile(aiReturn, 99)),
    }
  } finally {
    await runtime.stop()
    await llm.close()
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchAi({ quick: process.argv.includes('--quick') })))
}
