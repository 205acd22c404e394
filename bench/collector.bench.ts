/**
 * Chat through the Twitch collector: the fake Twitch IRC (test/fakes/twitch) floods the collector (tmi.js),
 * which forwards to the router over HTTP (batched, event-batcher.ts); the router answers and the collector
 * replies on IRC. One process hosts the fake, the collector and the router, as `waddlebot start` does.
 *
 * - `collector_to_router_eps`: a flood of chat (3 in 4 lines `!ping`, as in the in-process bench) over 100
 *   channels, events/s until the router has processed every line.
 * - `chat_e2e_p99_ms`: chat at a paced 1,000 lines/s (1 in 10 a `!ping`, spread over 100 channels so the
 *   replies stay within Twitch's moderator budget): time from the line leaving the fake IRC server to the
 *   bot's reply arriving there, p99.
 * - `twitch_rss_per_1k_channels_mb`: RSS growth of a router + collector process (its own, the fakes stay here)
 *   in 1,000 channels against one in none, each measured at rest.
 */

import { fork } from 'node:child_process'
import { pathToFileURL } from 'node:url'
import {
  type FakeEventSubWs,
  type FakeHelix,
  type FakeTwitchIrc,
  startFakeEventSubWs,
  startFakeHelix,
  startFakeTwitchIrc,
} from '../test/fakes/twitch/index.js'
import { sqliteBackend } from '../test/helpers/backends.js'
import { freeOffset } from '../test/helpers/cli.js'
import {
  BOT,
  CLIENT_ID,
  eventually,
  startTwitchHarness,
  TOKEN,
  type TwitchHarness,
  twitchRuntimeEnv,
} from '../test/helpers/twitch-harness.js'
import { resultInChild } from './lib/in-child.js'
import { percentile, round } from './lib/project.js'
import type { ChildMemory } from './lib/twitch-collector-child.js'

export interface CollectorBenchResult {
  collector_to_router_eps: number
  events: number
  /** Channels flooded (and as many more for the paced run). */
  channels: number
  events_per_request: number
  /** CPU time of the one process (fake IRC + collector + router) per flooded event. */
  cpu_us_per_event: number
  /** The same at the paced 1,000 lines/s. */
  paced_cpu_us_per_event: number
  paced_events_per_request: number
  chat_e2e_p99_ms: number
  chat_e2e_p50_ms: number
  chat_e2e_rate: number
  replies_timed: number
}

const tick = () => new Promise((r) => setImmediate(r))

async function harness(channels: readonly string[], env: Record<string, string> = {}): Promise<TwitchHarness> {
  const h = await startTwitchHarness(sqliteBackend(), {
    channels,
    modules: ['router', 'twitch'],
    env: {
      WADDLEBOT_TWITCH_MAX_CLAIMS: String(channels.length),
      WADDLEBOT_TWITCH_QUEUE_SIZE: '100000',
      WADDLEBOT_LOG_LEVEL: 'error',
      ...env,
    },
  })
  for (const c of channels) h.irc.setModerator(c, BOT, true)
  await eventually('every channel joined', () => h.irc.joined(BOT).size === channels.length, 120_000)
  // The channels' EventSub subscriptions (9 each) are made before anything is measured, as they are at rest.
  const twitch = h.runtime.hosted.find((x) => x.def.name === 'twitch')!
  await (twitch.ctx.state as { platform?: { eventSub?: { settled(): Promise<void> } } }).platform?.eventSub?.settled()
  return h
}

export async function benchCollector({
  quick,
  lingerMs,
}: {
  quick: boolean
  /** The collectors' `batch_linger_ms` (default: theirs, 1 ms; 0 = one event per request). */
  lingerMs?: number
}): Promise<CollectorBenchResult> {
  const perRun = quick ? 50 : 100
  const channels = Array.from({ length: perRun }, (_, i) => `flood${i}`)
  // Separate channels for the paced run: the flood's replies use up its channels' outbound budgets.
  const paced = Array.from({ length: perRun }, (_, i) => `paced${i}`)
  const h = await harness(
    [...channels, ...paced],
    lingerMs === undefined ? {} : { WADDLEBOT_TWITCH_BATCH_LINGER_MS: String(lingerMs) },
  )
  try {
    const twitch = h.runtime.hosted.find((x) => x.def.name === 'twitch')!
    const router = (twitch.ctx.state as { handle: { router: { batches?: { requests: number; events: number } } } })
      .handle.router
    const stats = () => router.batches ?? { requests: 0, events: 0 }
    let cpuUs = 0
    const flood = async (total: number) => {
      const start = h.processed.length
      const cpu = process.cpuUsage()
      const t = performance.now()
      for (let i = 0; i < total; i++) {
        h.irc.viewerMessage(channels[i % channels.length]!, {
          user: `viewer${i % 500}`,
          text: i % 4 === 0 ? 'just chatting about the game tonight' : '!ping',
        })
        if (i % 200 === 199) await tick()
      }
      await eventually('the flood processed', () => h.processed.length - start >= total, 300_000)
      const used = process.cpuUsage(cpu)
      cpuUs = (used.user + used.system) / total
      return total / ((performance.now() - t) / 1000)
    }
    const skipFlood = process.env.WB_BENCH_SKIP_FLOOD === '1'
    if (!skipFlood) await flood(quick ? 500 : 5_000) // warm up
    const before = { ...stats() }
    const total = quick ? 3_000 : 40_000
    const eps = skipFlood ? 0 : await flood(total)
    const after = stats()
    const perRequest = (after.events - before.events) / Math.max(1, after.requests - before.requests)

    // Paced chat at 1,000 lines/s on other channels; every 10th line a `!ping` whose reply is timed (replies of one channel
    // leave in order, so the n-th reply in a channel answers its n-th `!ping`).
    await new Promise((r) => setTimeout(r, 1000))
    const sent = new Map<string, number[]>()
    const latencies: number[] = []
    const off = h.irc.onLine((line) => {
      if (line.command !== 'PRIVMSG' || line.nick !== BOT) return
      const waiting = sent.get((line.params[0] ?? '').replace(/^#/, ''))
      const t = waiting?.shift()
      if (t !== undefined) latencies.push(performance.now() - t)
    })
    const rate = 1000
    const seconds = quick ? 1 : 10
    const lines = rate * seconds
    const pacedCpu = process.cpuUsage()
    const pacedBatches = { ...stats() }
    const t0 = performance.now()
    let i = 0
    let pings = 0
    while (i < lines) {
      const due = Math.min(lines, Math.floor(((performance.now() - t0) / 1000) * rate))
      for (; i < due; i++) {
        const channel = paced[Math.floor(i / 10) % paced.length]!
        const ping = i % 10 === 0
        if (ping) {
          pings++
          const q = sent.get(channel) ?? []
          q.push(performance.now())
          sent.set(channel, q)
        }
        h.irc.viewerMessage(channel, { user: `viewer${i % 500}`, text: ping ? '!ping' : 'nice play, well done' })
      }
      await new Promise((r) => setTimeout(r, 2))
    }
    await eventually('every reply', () => latencies.length >= pings, 60_000)
    const pacedUsed = process.cpuUsage(pacedCpu)
    off()
    return {
      collector_to_router_eps: round(eps, 0),
      events: total,
      channels: channels.length,
      events_per_request: round(perRequest, 1),
      cpu_us_per_event: round(cpuUs, 1),
      paced_cpu_us_per_event: round((pacedUsed.user + pacedUsed.system) / lines, 1),
      paced_events_per_request: round(
        (stats().events - pacedBatches.events) / Math.max(1, stats().requests - pacedBatches.requests),
        1,
      ),
      chat_e2e_p99_ms: round(percentile(latencies, 99)),
      chat_e2e_p50_ms: round(percentile(latencies, 50)),
      chat_e2e_rate: rate,
      replies_timed: latencies.length,
    }
  } finally {
    await h.close()
  }
}

/** One router + Twitch collector process (bench/lib/twitch-collector-child.ts) in `channels`, at rest. */
async function restingRss(
  fakes: { irc: FakeTwitchIrc; helix: FakeHelix; eventSub: FakeEventSubWs },
  channels: readonly string[],
  restLimitMs: number,
): Promise<ChildMemory> {
  const offset = await freeOffset([8000, 8002])
  const child = fork(new URL('./lib/twitch-collector-child.ts', import.meta.url), [], {
    env: {
      ...process.env,
      ...twitchRuntimeEnv({ ...fakes, offset, channels }),
      WADDLEBOT_LOG_LEVEL: 'error',
      WADDLEBOT_TWITCH_MAX_CLAIMS: String(Math.max(1, channels.length)),
      // The default claim period (30 s): the harness's 200 ms would keep the process busy claiming.
      WADDLEBOT_TWITCH_CLAIM_INTERVAL_MS: '30000',
      WB_REST_LIMIT_MS: String(restLimitMs),
      WB_REST_QUICK: restLimitMs < 10_000 ? '1' : '0',
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const message = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T))
      child.once('exit', (code) => reject(new Error(`the collector process exited (${code})`)))
    })
  try {
    await message()
    await eventually(
      `${channels.length} channels joined`,
      () => fakes.irc.joined(BOT).size === channels.length,
      120_000,
    )
    child.send('measure')
    return (await message<{ memory: ChildMemory }>()).memory
  } finally {
    child.send('stop')
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)))
  }
}

/**
 * RSS growth of a router + Twitch collector process per 1,000 channels claimed and joined, both processes at
 * rest (see twitch-collector-child.ts); the fake Twitch servers run in this process.
 */
export async function benchTwitchRss({ quick }: { quick: boolean }): Promise<{
  mb_per_1k: number
  channels: number
  base_mb: number
  grown_mb: number
  heap_used_growth_mb: number
  at_rest: boolean
}> {
  // --quick checks that it runs: fewer channels, and a short wait for rest (the label then says upper bound).
  const count = quick ? 100 : 1000
  const restLimitMs = quick ? 2_000 : 120_000
  const irc = await startFakeTwitchIrc()
  const eventSub = await startFakeEventSubWs({})
  const helix = await startFakeHelix({ clientId: CLIENT_ID, token: TOKEN, eventSub })
  try {
    const fakes = { irc, helix, eventSub }
    const base = await restingRss(fakes, [], restLimitMs)
    const grown = await restingRss(
      fakes,
      Array.from({ length: count }, (_, i) => `chan${i}`),
      restLimitMs,
    )
    return {
      mb_per_1k: round(((grown.rss_mb - base.rss_mb) * 1000) / count, 1),
      channels: count,
      base_mb: base.rss_mb,
      grown_mb: grown.rss_mb,
      heap_used_growth_mb: round(grown.heap_used_mb - base.heap_used_mb, 1),
      at_rest: base.at_rest && grown.at_rest,
    }
  } finally {
    await Promise.allSettled([irc.close(), helix.close(), eventSub.close()])
  }
}

/**
 * {@link benchCollector} in a process of its own (`npm run bench` runs it so): the figures then describe a
 * fresh router + collector, as after `waddlebot start`, not one sharing a heap with the scenarios run before it
 * (their garbage made the old generation's collections, and so the p99, longer).
 */
export function benchCollectorInChild({ quick }: { quick: boolean }): Promise<CollectorBenchResult> {
  return resultInChild<CollectorBenchResult>(import.meta.url, 'collector', quick)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick')
  if (process.argv.includes('--child')) {
    console.log(`RESULT ${JSON.stringify(await benchCollector({ quick }))}`)
    process.exit(0)
  }
  const linger = process.argv.indexOf('--linger')
  const lingerMs = linger > 0 ? Number(process.argv[linger + 1]) : undefined
  console.log(JSON.stringify(await benchCollector({ quick, ...(lingerMs === undefined ? {} : { lingerMs }) })))
  if (process.argv.includes('--no-rss')) process.exit(0)
  console.log(JSON.stringify(await benchTwitchRss({ quick })))
}
