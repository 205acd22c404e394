/**
 * Overlay fan-out: 1,000 WebSocket overlays (quick: 200) connected to one browser-source, one display posted
 * → the delivery latency of every overlay, measured from just before the POST to the moment that overlay's
 * client received the message. Several rounds (after a warm-up) are pooled; p50 and p99 over all deliveries.
 * The clients run in this process too, so their receive work is part of the figure. Runnable alone:
 * `node --import tsx bench/overlay-fanout.bench.ts [--quick]` prints JSON.
 */
import { pathToFileURL } from 'node:url'
import WebSocket from 'ws'
import { startRuntime } from '../src/runtime/host.js'
import { freeOffset } from '../test/helpers/cli.js'
import { benchProject, percentile, round } from './lib/project.js'
import browserSourceModule from '../src/modules/browser-source/index.js'
import { builtinCatalog } from '../src/modules/catalog.js'

export interface OverlayFanoutResult {
  overlay_fanout_p50_ms: number
  overlay_fanout_p99_ms: number
  clients: number
}

interface Client {
  socket: WebSocket
  /** Called with each raw message. */
  onMessage?: ((text: string) => void) | undefined
}

function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false })
    const client: Client = { socket }
    socket.on('message', (raw) => client.onMessage?.(raw.toString()))
    // Ready once the server's hello arrived (the socket is registered by then).
    client.onMessage = () => {
      client.onMessage = undefined
      resolve(client)
    }
    socket.once('error', reject)
  })
}

export async function benchOverlayFanout({
  quick,
  env = {},
}: {
  quick: boolean
  env?: Record<string, string>
}): Promise<OverlayFanoutResult> {
  const clients = quick ? 200 : 1000
  const rounds = quick ? 5 : 10
  const offset = await freeOffset([8027])
  const project = benchProject({ ...env, WADDLEBOT_PORT_OFFSET: String(offset) })
  const runtime = await startRuntime({
    catalog: builtinCatalog,
    settings: project.settings,
    modules: ['browser-source'],
  })
  const open: Client[] = []
  try {
    const hosted = runtime.hosted[0]!
    const bs = runtime.module(browserSourceModule).ctx.state
    const community = 'bench'
    const token = (await bs.tokens.ensureTokens(community)).ticker
    const wsUrl = `ws://127.0.0.1:${hosted.port}/browser/source/${token}/ticker`
    for (let i = 0; i < clients; i += 50) {
      open.push(...(await Promise.all(Array.from({ length: Math.min(50, clients - i) }, () => connect(wsUrl)))))
    }
    const post = (text: string) =>
      fetch(`${hosted.url}/browser/source/display`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-key': runtime.serviceKey },
        body: JSON.stringify({ community_id: community, type: 'ticker', data: { text, duration: 1 } }),
      }).then(async (res) => {
        const body = (await res.json()) as { delivered?: number }
        if (body.delivered !== clients) throw new Error(`delivered to ${body.delivered} of ${clients} overlays`)
      })

    const latencies: number[] = []
    for (let r = -2; r < rounds; r++) {
      const marker = `round ${r} ${Math.random()}`
      const received: number[] = []
      let t0 = 0
      const all = new Promise<void>((resolve) => {
        for (const client of open) {
          client.onMessage = (text) => {
            if (!text.includes(marker)) return
            received.push(performance.now() - t0)
            if (received.length === open.length) resolve()
          }
        }
      })
      t0 = performance.now()
      await Promise.all([post(marker), all])
      if (r >= 0) latencies.push(...received) // rounds -2 and -1 warm up
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return {
      overlay_fanout_p50_ms: round(percentile(latencies, 50), 2),
      overlay_fanout_p99_ms: round(percentile(latencies, 99), 2),
      clients,
    }
  } finally {
    for (const client of open) client.socket.terminate()
    await runtime.stop()
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchOverlayFanout({ quick: process.argv.includes('--quick') })))
}
