/**
 * HTTP intake: `POST /api/v1/events` throughput vs a bare fastify POST echo that does the minimum
 * (parse the JSON event, look up a command, reply), both driven by autocannon in the same run; and the
 * router's p99 latency at a fixed 5,000 events/s, each request sent at its own time (bench/lib/paced-load.ts).
 */

import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { builtinCatalog } from '../src/modules/catalog.js'
import { createApiKey } from '../src/runtime/api-keys.js'
import { startRuntime } from '../src/runtime/host.js'
import { freeOffset } from '../test/helpers/cli.js'
import { resultInChild } from './lib/in-child.js'
import { type LoadResult, load, pacedLoad } from './lib/load.js'
import { benchProject, round } from './lib/project.js'

/** CPU time (user + system, µs) of another process so far, from /proc (clock ticks of 10 ms). */
function processCpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

export interface HttpBenchResult {
  router_rps: number
  fastify_rps: number
  http_vs_fastify_ratio: number
  /** p99 of each of 5 consecutive runs at 5,000 events/s. */
  http_p99_ms_at_5k_runs: number[]
  /** The lowest rate achieved among them. */
  http_achieved_rps_at_5k: number
  /** CPU time of the server's process (autocannon is its own process) per request. */
  router_cpu_us: number
  fastify_cpu_us: number
  bare_p99_ms_at_5k: number
}

const BODY = JSON.stringify({
  platform: 'local',
  server_id: 's',
  channel_id: 'c',
  user_id: 'u',
  user_name: 'Ann',
  message: '!ping',
  message_type: 'chatMessage',
})

export async function benchHttp({
  quick,
  env = {},
}: {
  quick: boolean
  env?: Record<string, string>
}): Promise<HttpBenchResult> {
  const offset = await freeOffset([8000])
  const project = benchProject({ WADDLEBOT_PORT_OFFSET: String(offset), ...env })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings: project.settings, modules: ['router'] })
  // The baseline runs in a process of its own (bench/lib/bare-fastify.ts); its CPU is read from /proc.
  const bare = fork(new URL('./lib/bare-fastify.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const barePort = await new Promise<number>((resolve, reject) => {
    bare.once('message', (m) => resolve(Number(String(m).replace('PORT ', ''))))
    bare.once('exit', (code) => reject(new Error(`the bare fastify process exited (${code})`)))
  })
  try {
    const key = (await createApiKey(runtime.storage, 'bench', 'collector')).key
    const routerUrl = `${runtime.hosted[0]!.url}/api/v1/events`
    const bareUrl = `http://127.0.0.1:${barePort}/api/v1/events`
    const seconds = quick ? 1 : 10
    const paced = (url: string, headers: Record<string, string>, runSeconds: number) =>
      pacedLoad({ url, body: BODY, headers, seconds: runSeconds, connections: 20, rate: 5000 })
    // Latency first, each request at its own time (bench/lib/paced-load.ts), over at most 20 connections, on a
    // router warmed up at that rate (3 s, not under --quick, which checks that it runs). After the throughput
    // floods below, the garbage of their 200,000 requests at full speed filled the old generation, and the
    // collection it called for fell in a paced run (docs/performance.md, `http_p99_ms_at_5k`).
    if (!quick) await paced(routerUrl, { 'x-api-key': key }, 3)
    const fixed = []
    for (let i = 0; i < 5; i++) fixed.push(await paced(routerUrl, { 'x-api-key': key }, quick ? 0.5 : seconds))
    const bareFixed = await paced(bareUrl, {}, quick ? 0.5 : seconds)
    // Throughput. Warm-ups (not under --quick)
    if (!quick) await load({ url: routerUrl, body: BODY, headers: { 'x-api-key': key }, seconds: 1 })
    const cpuPerRequest = async (cpuUs: () => number, run: () => Promise<LoadResult>) => {
      const before = cpuUs()
      const r = await run()
      return { r, us: (cpuUs() - before) / (r.rps * seconds) }
    }
    const ownCpuUs = () => {
      const used = process.cpuUsage()
      return used.user + used.system
    }
    const ours = await cpuPerRequest(ownCpuUs, () =>
      load({ url: routerUrl, body: BODY, headers: { 'x-api-key': key }, seconds }),
    )
    if (!quick) await load({ url: bareUrl, body: BODY, seconds: 1 })
    const base = await cpuPerRequest(
      () => processCpuUs(bare.pid!),
      () => load({ url: bareUrl, body: BODY, seconds }),
    )
    const non2xx = ours.r.non2xx + fixed.reduce((n, f) => n + f.non2xx, 0)
    if (non2xx > 0) throw new Error(`router answered non-2xx: ${non2xx}`)
    return {
      router_rps: round(ours.r.rps, 0),
      fastify_rps: round(base.r.rps, 0),
      http_vs_fastify_ratio: round(ours.r.rps / base.r.rps),
      http_p99_ms_at_5k_runs: fixed.map((f) => f.p99_ms),
      http_achieved_rps_at_5k: round(Math.min(...fixed.map((f) => f.rps)), 0),
      router_cpu_us: round(ours.us, 1),
      fastify_cpu_us: round(base.us, 1),
      bare_p99_ms_at_5k: bareFixed.p99_ms,
    }
  } finally {
    bare.disconnect()
    await new Promise((r) => (bare.exitCode === null ? bare.once('exit', r) : r(undefined)))
    await runtime.stop()
    project.cleanup()
  }
}

/**
 * The scenario in a process of its own, as the router runs in production: in `npm run bench`'s process it
 * came after the in-process scenario, whose router, heap and garbage it shared (its p99 at 5,000/s: 4.8–14.5 ms
 * there vs 3.3–4.8 ms alone, the same code and machine, docs/performance.md).
 */
export function benchHttpInChild({ quick }: { quick: boolean }): Promise<HttpBenchResult> {
  return resultInChild<HttpBenchResult>(import.meta.url, 'HTTP', quick)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchHttp({ quick: process.argv.includes('--quick') })
  if (process.argv.includes('--child')) {
    console.log(`RESULT ${JSON.stringify(result)}`)
    process.exit(0)
  }
  console.log(JSON.stringify(result))
}
