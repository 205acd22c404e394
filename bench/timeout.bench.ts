/**
 * A module that sleeps past its timeout yields `outcome: "timeout"`: how long after the timeout the router
 * answers (overshoot), in process and through an HTTP module. Baseline: the same command answering at once.
 */
import { writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { inboundEventSchema } from '../src/contract/events.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import routerModule from '../src/modules/router/index.js'
import { loadSettings } from '../src/runtime/config.js'
import { startRuntime } from '../src/runtime/host.js'
import { freeOffset } from '../test/helpers/cli.js'
import { writeModule } from '../test/helpers/fixture-modules.js'
import { benchProject, percentile, round } from './lib/project.js'

export interface TimeoutBenchResult {
  timeout_ms: number
  timeout_overshoot_p99_ms: number
  timeout_overshoot_http_p99_ms: number
  baseline_answer_p99_ms: number
}

const MODULE = (
  name: string,
  port: number,
) => `export default { name: '${name}', version: '1.0.0', kind: 'interaction', summary: 'sleeps', port: ${port},
  commands: [
    { name: '${name}', summary: 'sleeps past its timeout', timeoutMs: 200, run: () => new Promise((r) => setTimeout(() => r('late'), 2000)) },
    { name: '${name}fast', summary: 'answers', timeoutMs: 200, run: () => 'now' },
  ] }`

export async function benchTimeout({ quick }: { quick: boolean }): Promise<TimeoutBenchResult> {
  const offset = await freeOffset([8000, 8100, 8101])
  const project = benchProject({ WADDLEBOT_PORT_OFFSET: String(offset) })
  writeModule(project.dir, 'sleepy', MODULE('sleepy', 8100))
  writeModule(project.dir, 'remote', MODULE('remote', 8101))
  writeFileSync(
    `${project.dir}/waddlebot.yaml`,
    'modules:\n  sleepy: {path: ./modules/sleepy, port: 8100}\n  remote: {path: ./modules/remote, port: 8101}\n',
  )
  const settings = loadSettings({
    cwd: project.dir,
    env: { ...project.settings.env, WADDLEBOT_PORT_OFFSET: String(offset) },
  })
  const remote = await startRuntime({ catalog: builtinCatalog, settings, modules: ['remote'] })
  const runtime = await startRuntime({
    catalog: builtinCatalog,
    settings,
    modules: ['router', 'sleepy'],
    listen: false,
  })
  const pipeline = runtime.module(routerModule).ctx.state.pipeline
  const ev = (message: string) =>
    inboundEventSchema.parse({
      platform: 'local',
      server_id: 's',
      channel_id: 'c',
      user_id: 'u',
      user_name: 'A',
      message,
      message_type: 'chatMessage',
    })
  const time = async (message: string, expect: string): Promise<number> => {
    const t = performance.now()
    const r = await pipeline.process(ev(message))
    if (r.outcome !== expect) throw new Error(`${message}: ${r.outcome}`)
    return performance.now() - t
  }
  try {
    const n = quick ? 2 : 30
    await time('!sleepy', 'timeout') // warm up both paths once
    await time('!remote', 'timeout')
    const local: number[] = []
    const http: number[] = []
    const fast: number[] = []
    for (let i = 0; i < n; i++) {
      local.push((await time('!sleepy', 'timeout')) - 200)
      http.push((await time('!remote', 'timeout')) - 200)
      fast.push(await time('!sleepyfast', 'command'))
    }
    return {
      timeout_ms: 200,
      timeout_overshoot_p99_ms: round(percentile(local, 99)),
      timeout_overshoot_http_p99_ms: round(percentile(http, 99)),
      baseline_answer_p99_ms: round(percentile(fast, 99)),
    }
  } finally {
    await runtime.stop()
    await remote.stop()
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchTimeout({ quick: process.argv.includes('--quick') })))
}
