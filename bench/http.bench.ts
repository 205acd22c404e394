/**
 * HTTP intake: `POST /api/v1/events` throughput vs a bare fastify POST echo that does the minimum
 * (parse the JSON event, look up a command, reply), both driven by autocannon in the same run; and the
 * router's p99 latency at a fixed 5,000 events/s.
 */
import { pathToFileURL } from 'node:url'
import Fastify from 'fastify'
import { createApiKey } from '../src/runtime/api-keys.js'
import { startRuntime } from '../src/runtime/host.js'
import { freeOffset } from '../test/helpers/cli.js'
import { load } from './lib/load.js'
import { benchProject, round } from './lib/project.js'
import { builtinCatalog } from '../src/modules/catalog.js'

export interface HttpBenchResult {
  router_rps: number
  fastify_rps: number
  http_vs_fastify_ratio: number
  http_p99_ms_at_5k: number
  http_achieved_rps_at_5k: number
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
  const bare = Fastify()
  const commands = new Map([['!ping', 'router']])
  bare.post('/api/v1/events', async (req) => {
    const e = req.body as { message?: string }
    const found = e.message?.startsWith('!') ? commands.get(e.message.split(' ')[0]!) : undefined
    return { outcome: found ? 'command' : 'ignored', responses: found ? [{ type: 'chat', text: 'pong' }] : [] }
  })
  await bare.listen({ host: '127.0.0.1', port: 0 })
  const barePort = (bare.server.address() as { port: number }).port
  try {
    const key = (await createApiKey(runtime.storage, 'bench', 'collector')).key
    const routerUrl = `${runtime.hosted[0]!.url}/api/v1/events`
    const bareUrl = `http://127.0.0.1:${barePort}/api/v1/events`
    const seconds = quick ? 3 : 10
    await load({ url: routerUrl, body: BODY, headers: { 'x-api-key': key }, seconds: 1 }) // warm up
    const ours = await load({ url: routerUrl, body: BODY, headers: { 'x-api-key': key }, seconds })
    const base = await load({ url: bareUrl, body: BODY, seconds })
    const fixed = await load({
      url: routerUrl,
      body: BODY,
      headers: { 'x-api-key': key },
      seconds,
      connections: 20,
      rate: 5000,
    })
    const bareFixed = await load({ url: bareUrl, body: BODY, seconds, connections: 20, rate: 5000 })
    if (ours.non2xx + fixed.non2xx > 0) throw new Error(`router answered non-2xx: ${ours.non2xx + fixed.non2xx}`)
    return {
      router_rps: round(ours.rps, 0),
      fastify_rps: round(base.rps, 0),
      http_vs_fastify_ratio: round(ours.rps / base.rps),
      http_p99_ms_at_5k: fixed.p99_ms,
      http_achieved_rps_at_5k: round(fixed.rps, 0),
      bare_p99_ms_at_5k: bareFixed.p99_ms,
    }
  } finally {
    await bare.close()
    await runtime.stop()
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchHttp({ quick: process.argv.includes('--quick') })))
}
