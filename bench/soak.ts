/**
 * The soak: a whole bot under steady chat for N minutes, on loopback only.
 *
 *   npm run soak -- --minutes 1      (default 1; 10 for the documented run)
 *
 * `waddlebot up --replicas router=3,twitch=3,browser-source=2` (router, Twitch collector and browser-source
 * processes; the routers and browser-sources behind their one port each) on a fresh Postgres database and a Redis prefix of
 * its own; 500 channels on the fake Twitch IRC server (test/fakes/twitch), shared by the three collectors
 * through coordination (claims of 20 s here, renewed every 5 s); 1,000 WebSocket overlays on the two
 * browser-source processes, sent a ticker every 5 s. Chat: `!ping` (one outstanding per channel, so each
 * reply is matched to its message; a channel waiting for its reply gets plain lines) and plain lines, 20 messages/s with a 100/s burst of 3 s every 15 s.
 * At 30 % of the run the collector holding the most channels is SIGKILLed: its channels must be claimed
 * again by the others once its claims expire.
 *
 * Reports events/s, p50/p99 chat-to-reply latency (message sent by the fake IRC server → the bot's reply
 * received there), overlay deliveries, lost replies (split into the killed collector's in-flight messages
 * and everything else), error log lines per process, claim moves and the time until every channel was
 * claimed again, and each process's RSS growth after warm-up (the upper level, 90th percentile, of the first
 * quarter after the baseline to that of the last; medians, floors and collectors' V8 heap beside it). Writes bench/results/soak-<N>m.json and exits
 * non-zero when an acceptance line fails (an error beyond the killed collector's in-flight messages, a
 * channel left unclaimed, RSS growth ≥ 10 %).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { TokenStore } from '../src/modules/browser-source/tokens.js'
import { builtinCatalog } from '../src/modules/catalog.js'
import { createStorage, sql } from '../src/runtime/storage/index.js'
import { startFakeTwitchIrc } from '../test/fakes/twitch/index.js'
import { REDIS_TEST_URL } from '../test/helpers/backends.js'
import { BIN, freeOffset } from '../test/helpers/cli.js'
import { freshPostgresUrl } from '../test/helpers/pg.js'
import { percentile, round } from './lib/project.js'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '1' } } })
const minutes = Number(values.minutes)
if (!(minutes > 0 && minutes <= 120)) {
  console.error(
    'error WB_INPUT_INVALID: invalid minutes: must be a number between 0 and 120 (npm run soak -- --minutes 1)',
  )
  process.exit(2)
}
const RUN_MS = minutes * 60_000
const CHANNELS = 500
const OVERLAYS = 1000
const CLAIM_TTL_MS = 20_000
const REPLY_DRAIN_MS = 30_000
const BASE_RATE = 20
const BURST_RATE = 100
const SERVICE_KEY = `wbsk_${randomBytes(16).toString('hex')}`
const BOT = 'soakbot'
const UP_LOG = join(tmpdir(), `wb-soak-${process.pid}.log`)

const log = (text: string) => console.log(`[soak] ${text}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms: number) {
  const end = Date.now() + ms
  for (;;) {
    const v = await check()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(200)
  }
}

const pg = await freshPostgresUrl()
const irc = await startFakeTwitchIrc()
const offset = await freeOffset([8000, 8002, 8027])
const dir = mkdtempSync(join(tmpdir(), 'wb-soak-'))
const channels = Array.from({ length: CHANNELS }, (_, i) => `soak${i}`)
const keep = new Set(['router', 'twitch', 'browser-source'])
writeFileSync(
  join(dir, 'waddlebot.yaml'),
  `modules:\n${builtinCatalog
    .filter((m) => m.load && !keep.has(m.name))
    .map((m) => `  ${m.name}: {enabled: false}\n`)
    .join('')}`,
)
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
  DATABASE_URL: pg.url,
  REDIS_URL: REDIS_TEST_URL,
  WADDLEBOT_REDIS_PREFIX: `wbsoak:${process.pid}:${randomBytes(4).toString('hex')}:`,
  WADDLEBOT_PORT_OFFSET: String(offset),
  WADDLEBOT_SERVICE_KEY: SERVICE_KEY,
  WADDLEBOT_LOG_LEVEL: 'warn',
  WADDLEBOT_LOG_FORMAT: 'json',
  TWITCH_BOT_USERNAME: BOT,
  TWITCH_BOT_TOKEN: 'soaktoken',
  TWITCH_IRC_URL: irc.url,
  TWITCH_CHANNELS: channels.join(','),
  WADDLEBOT_TWITCH_MAX_CLAIMS: String(CHANNELS / 2), // two collectors can hold every channel
  WADDLEBOT_TWITCH_CLAIM_INTERVAL_MS: '1000',
  WADDLEBOT_TWITCH_JOIN_INTERVAL_MS: '0',
  WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS: String(CLAIM_TTL_MS),
  WADDLEBOT_ROUTER_COORDINATION_CHECKIN_INTERVAL_MS: '5000',
}
const BROWSER = `http://127.0.0.1:${8027 + offset}`

let up: ChildProcess | undefined
let out = ''
const sockets: WebSocket[] = []
const storage = await createStorage({ url: pg.url })

async function cleanup(): Promise<void> {
  for (const s of sockets) s.terminate()
  if (up && up.exitCode === null) {
    const gone = new Promise((r) => up?.once('exit', r))
    up.kill('SIGTERM')
    await Promise.race([gone, sleep(15_000)])
  }
  writeFileSync(UP_LOG, out)
  log(`the processes' output: ${UP_LOG}`)
  await storage.close().catch(() => {})
  await irc.close().catch(() => {})
  await pg.drop().catch(() => {})
  rmSync(dir, { recursive: true, force: true })
}

/** label → latest pid, from `[supervisor] started <label> pid <n>`. */
function pids(): Map<string, number> {
  const m = new Map<string, number>()
  for (const x of out.matchAll(/\[supervisor\]\s+started (\S+) pid (\d+)/g)) m.set(x[1]!, Number(x[2]))
  return m
}
function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb ? Number(kb) / 1024 : undefined
  } catch {
    return undefined
  }
}
async function claims(): Promise<Map<string, string | null>> {
  const rows = await storage.query<{ entity_id: string; claimed_by: string | null; claim_expires: number | null }>(
    sql`select entity_id, claimed_by, claim_expires from coordination where platform = 'twitch'`,
  )
  const now = Date.now()
  return new Map(
    rows.map((r) => [
      r.entity_id.split(':')[1]!,
      r.claim_expires !== null && Number(r.claim_expires) > now ? r.claimed_by : null,
    ]),
  )
}

/** pid → V8 heap in use and external (Buffer) memory, MB, of each Twitch collector, from its /health and /metrics. */
async function collectorHeaps(): Promise<Map<number, { heap: number; external: number; total: number }>> {
  const m = new Map<number, { heap: number; external: number; total: number }>()
  await Promise.all(
    [8002, 9002, 10002].map(async (port) => {
      try {
        const base = `http://127.0.0.1:${port + offset}`
        const health = (await (await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) })).json()) as {
          pid?: number
        }
        const metrics = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(1000) })).text()
        const used = /^waddlebot_nodejs_heap_size_used_bytes\s+(\d+)/m.exec(metrics)?.[1]
        const external = /^waddlebot_nodejs_external_memory_bytes\s+(\d+)/m.exec(metrics)?.[1]
        const total = /^waddlebot_nodejs_heap_size_total_bytes\s+(\d+)/m.exec(metrics)?.[1]
        if (health.pid && used && external && total)
          m.set(health.pid, {
            heap: Number(used) / 2 ** 20,
            external: Number(external) / 2 ** 20,
            total: Number(total) / 2 ** 20,
          })
      } catch {} // a killed or restarting collector: no sample this time
    }),
  )
  return m
}

try {
  log(
    `${minutes} min; ${CHANNELS} channels, ${OVERLAYS} overlays; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  )
  up = spawn(
    process.execPath,
    [BIN, 'up', '--only', 'router,twitch,browser-source', '--replicas', 'router=3,twitch=3,browser-source=2'],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  up.stdout?.on('data', (c) => (out += c))
  up.stderr?.on('data', (c) => (out += c))
  const startedAt = Date.now()
  await until('every channel joined by a collector', () => irc.joined(BOT).size === CHANNELS, 180_000).catch(
    (error) => {
      throw new Error(`${(error as Error).message}\n${out.slice(-4000)}`)
    },
  )
  log(`up: ${[...pids().keys()].join(', ')} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`)

  // 1,000 overlays over the browser-source port (the supervisor spreads the connections over both processes).
  const token = (await new TokenStore(storage).ensureTokens('default')).ticker
  let onOverlay: ((text: string, at: number) => void) | undefined
  for (let i = 0; i < OVERLAYS; i += 50) {
    await Promise.all(
      Array.from(
        { length: Math.min(50, OVERLAYS - i) },
        () =>
          new Promise<void>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${8027 + offset}/browser/source/${token}/ticker`, {
              perMessageDeflate: false,
            })
            ws.once('message', () => resolve())
            ws.on('message', (raw) => onOverlay?.(raw.toString(), performance.now()))
            ws.once('error', reject)
            sockets.push(ws)
          }),
      ),
    )
  }
  log(`${sockets.length} overlays connected`)

  // Chat driver state.
  const outstanding = new Map<string, { t0: number; sentAt: number }>()
  const latencies: number[] = []
  const lost: { channel: string; sentAt: number }[] = []
  let sent = 0
  let pings = 0
  let unwatched = 0
  let seenLines = irc.lines.length
  const overlayLatencies: number[] = []
  let overlayPosts = 0
  let overlayMissing = 0
  /** Per process: RSS samples, and for a collector the channels it held at that moment. */
  const rss = new Map<
    string,
    { t: number; mb: number; channels?: number; heapMb?: number; extMb?: number; heapTotalMb?: number }[]
  >()
  let victim: { label: string; pid: number; container: string; channels: Set<string>; at: number } | undefined
  let reclaimedAfterMs: number | undefined
  let claimMoves = 0

  const t0 = Date.now()
  const runStart = performance.now()
  let watched = irc.joined(BOT)
  let nextTick = Date.now()
  let n = 0
  let sampling = false
  const sampler = setInterval(async () => {
    if (sampling) return
    sampling = true
    try {
      const held = await claims().catch(() => undefined)
      const perPid = new Map<number, number>()
      for (const c of held?.values() ?? []) {
        const pid = c ? Number(/-(\d+)-[0-9a-f]+$/.exec(c)?.[1]) : Number.NaN
        if (pid) perPid.set(pid, (perPid.get(pid) ?? 0) + 1)
      }
      const heap = await collectorHeaps()
      for (const [label, pid] of pids()) {
        const mb = rssMb(pid)
        if (mb === undefined) continue
        const list = rss.get(`${label}:${pid}`) ?? []
        const channels = label.startsWith('twitch') && held ? (perPid.get(pid) ?? 0) : undefined
        const mem = heap.get(pid)
        list.push({
          t: Date.now() - t0,
          mb,
          ...(channels === undefined ? {} : { channels }),
          ...(mem === undefined ? {} : { heapMb: mem.heap, extMb: mem.external, heapTotalMb: mem.total }),
        })
        rss.set(`${label}:${pid}`, list)
      }
    } finally {
      sampling = false
    }
  }, 2000)

  const overlayLoop = (async () => {
    while (Date.now() - t0 < RUN_MS) {
      await sleep(5000)
      const marker = `soak-${overlayPosts}-${Math.random()}`
      const got: number[] = []
      const start = performance.now()
      onOverlay = (text, at) => {
        if (text.includes(marker)) got.push(at - start)
      }
      overlayPosts++
      await fetch(`${BROWSER}/browser/source/display`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-key': SERVICE_KEY },
        body: JSON.stringify({ community_id: 'default', type: 'ticker', data: { text: marker, duration: 1 } }),
      }).catch(() => {})
      await sleep(3000)
      overlayLatencies.push(...got)
      overlayMissing += OVERLAYS - got.length
    }
  })()

  while (Date.now() - t0 < RUN_MS) {
    const elapsed = Date.now() - t0
    const inBurst = elapsed % 15_000 >= 12_000
    const perTick = (inBurst ? BURST_RATE : BASE_RATE) / 20
    // Collect the bot's replies.
    const lines = irc.lines
    for (; seenLines < lines.length; seenLines++) {
      const l = lines[seenLines]!
      if (l.command !== 'PRIVMSG' || l.trailing !== 'pong') continue
      const ch = (l.params[0] ?? '').replace(/^#/, '')
      const o = outstanding.get(ch)
      if (!o) continue
      latencies.push(performance.now() - o.t0)
      outstanding.delete(ch)
    }
    if (n % 20 === 0) watched = irc.joined(BOT)
    // Send this tick's messages (fractional rates accumulate).
    const count = Math.floor((n + 1) * perTick) - Math.floor(n * perTick)
    for (let i = 0; i < count; i++) {
      const ch = channels[Math.floor(Math.random() * CHANNELS)]!
      sent++
      if (!watched.has(ch)) {
        unwatched++ // nobody holds it right now (between a kill and the re-claim): Twitch would drop it too
        continue
      }
      const user = `viewer${Math.floor(Math.random() * 5000)}`
      if (outstanding.has(ch)) {
        irc.viewerMessage(ch, { user, text: `hello from ${user}` })
      } else {
        outstanding.set(ch, { t0: performance.now(), sentAt: Date.now() })
        pings++
        irc.viewerMessage(ch, { user, text: '!ping' })
      }
    }
    n++
    // The kill, at 30 % of the run: the collector holding the most channels, without release.
    if (!victim && elapsed >= RUN_MS * 0.3) {
      const held = await claims()
      const byContainer = new Map<string, Set<string>>()
      for (const [ch, c] of held) if (c) byContainer.set(c, (byContainer.get(c) ?? new Set()).add(ch))
      const [container, set] = [...byContainer].sort((a, b) => b[1].size - a[1].size)[0]!
      const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(container)?.[1])
      const label = [...pids()].find(([, p]) => p === pid)?.[0] ?? '?'
      victim = { label, pid, container, channels: set, at: Date.now() }
      process.kill(pid, 'SIGKILL')
      log(`killed ${label} (pid ${pid}) holding ${set.size} channels at ${(elapsed / 1000).toFixed(1)} s`)
    }
    if (victim && reclaimedAfterMs === undefined && n % 20 === 0) {
      const held = await claims()
      const dead = victim.container
      if ([...held.values()].every((c) => c !== null && c !== dead) && irc.joined(BOT).size === CHANNELS) {
        reclaimedAfterMs = Date.now() - victim.at
        claimMoves = [...victim.channels].filter((ch) => held.get(ch) !== dead).length
        log(`every channel claimed and joined again ${(reclaimedAfterMs / 1000).toFixed(1)} s after the kill`)
      }
    }
    nextTick += 50
    await sleep(Math.max(0, nextTick - Date.now()))
  }
  const seconds = (performance.now() - runStart) / 1000
  await overlayLoop
  // Replies still on their way: a reply is lost only if it never comes (slow ones count in the p99).
  const drainUntil = Date.now() + REPLY_DRAIN_MS
  for (;;) {
    for (; seenLines < irc.lines.length; seenLines++) {
      const l = irc.lines[seenLines]!
      const ch = (l.params[0] ?? '').replace(/^#/, '')
      const o = l.command === 'PRIVMSG' && l.trailing === 'pong' ? outstanding.get(ch) : undefined
      if (o) {
        latencies.push(performance.now() - o.t0)
        outstanding.delete(ch)
      }
    }
    const waiting = [...outstanding.keys()].filter((ch) => !victim?.channels.has(ch))
    if (waiting.length === 0 || Date.now() > drainUntil) break
    await sleep(200)
  }
  for (const [ch, o] of outstanding) lost.push({ channel: ch, sentAt: o.sentAt })
  clearInterval(sampler)

  // A lost reply is the killed collector's in-flight message when its channel was that collector's and it
  // was sent before the kill (the collector died holding it, or the router's answer found it gone).
  const inFlight = lost.filter((l) => victim?.channels.has(l.channel) && l.sentAt <= victim.at + 1000)
  const otherLost = lost.length - inFlight.length
  const errorLines = new Map<string, number>()
  for (const m of out.matchAll(/^\[(\S+)\]\s+(\{.*\})$/gm)) {
    try {
      if ((JSON.parse(m[2]!) as { level?: number }).level! >= 50)
        errorLines.set(m[1]!, (errorLines.get(m[1]!) ?? 0) + 1)
    } catch {}
  }
  // Warm-up: the first quarter (at most a minute), and until 20 s after the killed collector's channels were
  // taken over (the survivors hold more channels from then on: their RSS steps up once, which is no leak).
  const reclaimAt = victim && reclaimedAfterMs !== undefined ? victim.at - t0 + reclaimedAfterMs + 20_000 : 0
  const warmMs = Math.max(Math.min(RUN_MS * 0.25, 60_000), reclaimAt)
  // A collector whose channel count changes after warm-up (channels handed between collectors) has its
  // baseline moved to 20 s after its last change: RSS per channel held is what must not grow.
  const growth: Record<
    string,
    {
      warm_mb: number
      end_mb: number
      upper_start_mb: number
      upper_end_mb: number
      /** Judged: the upper level (90th percentile) of the first quarter after the baseline to the last's. */
      growth_pct: number
      median_start_mb: number
      median_end_mb: number
      median_growth_pct: number
      floor_start_mb: number
      floor_end_mb: number
      floor_growth_pct: number
      heap_floor_start_mb?: number
      heap_floor_end_mb?: number
      external_floor_start_mb?: number
      external_floor_end_mb?: number
      baseline_at_s: number
      channels_at_baseline?: number
      channels_at_end?: number
      channel_changes_after_warm_up?: [number, number][]
    }
  > = {}
  const notJudged: string[] = []
  for (const [key, samples] of rss) {
    const [label, pid] = key.split(':') as [string, string]
    if (victim && Number(pid) === victim.pid) continue // killed mid-run
    // A process started mid-run (the killed collector's replacement) warms up from its own start, as long as
    // the others did from theirs: judged from 37 s of age, an idle replacement's old generation was still
    // growing towards its first full collection (2026-12-04 18:48 run: +10.0 %, heap in use after GC flat).
    const changes: [number, number][] = []
    let baseMs = Math.max(warmMs, samples[0]!.t + Math.min(RUN_MS * 0.25, 60_000))
    for (let i = 1; i < samples.length; i++) {
      const [prev, cur] = [samples[i - 1]!, samples[i]!]
      if (cur.channels === undefined || prev.channels === undefined || cur.channels === prev.channels) continue
      if (cur.t >= warmMs) changes.push([round(cur.t / 1000, 1), cur.channels])
      if (cur.t >= warmMs - 20_000) baseMs = Math.max(baseMs, cur.t + 20_000)
    }
    const after = samples.filter((x) => x.t >= baseMs)
    if (after.length < 4) {
      notJudged.push(
        changes.length > 0
          ? `${label} (channels changed at ${changes.map((c) => c[0]).join(', ')} s)`
          : `${label} (started at ${round(samples[0]!.t / 1000, 1)} s: too few samples after its warm-up)`,
      )
      continue
    }
    // RSS swings with V8's young generation: under load its committed heap grows by ≈30 MB and the memory
    // reducer shrinks it again in a quiet moment (RSS minus the committed heap stays flat: the 10-minute run
    // of 2026-12-04 10:47, whose series is in rss_series). So RSS has two levels, young generation grown and
    // shrunk, and the median of a quarter lands on either depending on when the reducer happened to run
    // (a collector with a flat heap in use read +12.2 % by medians on 2026-12-04 19:00). A leak raises both
    // levels, so the growth judged is that of the upper level: the 90th percentile of the first quarter after
    // the baseline to that of the last quarter. The medians and the floors (the lower level, when the reducer
    // ran in both quarters) are reported beside it, and for collectors the V8 heap in use.
    const quarter = Math.max(3, Math.floor(after.length / 4))
    const floor = (xs: number[]) => Math.min(...xs)
    const avg = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length
    const mbs = after.map((x) => x.mb)
    const heaps = after.map((x) => x.heapMb).filter((x): x is number => x !== undefined)
    const externals = after.map((x) => x.extMb).filter((x): x is number => x !== undefined)
    const [f0, f1] = [floor(mbs.slice(0, quarter)), floor(mbs.slice(-quarter))]
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const [m0, m1] = [median(mbs.slice(0, quarter)), median(mbs.slice(-quarter))]
    const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * 0.9)]!
    const [u0, u1] = [p90(mbs.slice(0, quarter)), p90(mbs.slice(-quarter))]
    const heapQuarter = Math.max(3, Math.floor(heaps.length / 4))
    growth[label] = {
      warm_mb: round(avg(mbs.slice(0, 3)), 1),
      end_mb: round(avg(mbs.slice(-3)), 1),
      upper_start_mb: round(u0, 1),
      upper_end_mb: round(u1, 1),
      growth_pct: round(((u1 - u0) / u0) * 100, 1),
      median_start_mb: round(m0, 1),
      median_end_mb: round(m1, 1),
      median_growth_pct: round(((m1 - m0) / m0) * 100, 1),
      floor_start_mb: round(f0, 1),
      floor_end_mb: round(f1, 1),
      floor_growth_pct: round(((f1 - f0) / f0) * 100, 1),
      baseline_at_s: round(baseMs / 1000, 1),
      ...(heaps.length >= 8
        ? {
            heap_floor_start_mb: round(floor(heaps.slice(0, heapQuarter)), 1),
            heap_floor_end_mb: round(floor(heaps.slice(-heapQuarter)), 1),
            external_floor_start_mb: round(floor(externals.slice(0, heapQuarter)), 1),
            external_floor_end_mb: round(floor(externals.slice(-heapQuarter)), 1),
          }
        : {}),
      ...(after[0]!.channels === undefined
        ? {}
        : {
            channels_at_baseline: after[0]!.channels,
            channels_at_end: after.at(-1)!.channels,
            channel_changes_after_warm_up: changes,
          }),
    }
  }
  const result = {
    date: new Date().toISOString(),
    minutes,
    load_average_at_end: loadavg().map((l) => round(l, 2)),
    channels: CHANNELS,
    overlays: sockets.length,
    events_per_s: round(sent / seconds, 1),
    chat_messages_sent: sent,
    sent_to_unwatched_channel: unwatched,
    pings,
    replies: latencies.length,
    chat_to_reply_p50_ms: round(percentile(latencies, 50), 1),
    chat_to_reply_p99_ms: round(percentile(latencies, 99), 1),
    lost_replies_killed_collector_in_flight: inFlight.length,
    lost_replies_other: otherLost,
    lost_other_at_s: lost
      .filter((l) => !inFlight.includes(l))
      .slice(0, 20)
      .map((l) => round((l.sentAt - t0) / 1000, 1)),
    rss_baseline_at_s: round(warmMs / 1000, 1),
    error_log_lines: Object.fromEntries(errorLines),
    overlay_posts: overlayPosts,
    overlay_deliveries: overlayLatencies.length,
    overlay_missing: overlayMissing,
    overlay_p50_ms: round(percentile(overlayLatencies, 50), 1),
    overlay_p99_ms: round(percentile(overlayLatencies, 99), 1),
    killed: victim ? { label: victim.label, channels: victim.channels.size } : null,
    claim_moves: claimMoves,
    reclaimed_all_after_s: reclaimedAfterMs === undefined ? null : round(reclaimedAfterMs / 1000, 1),
    rss: growth, // processes with fewer than 4 samples after the baseline (a short run) are left out
    // Every process's samples, one per 30 s: [s, RSS MB, and for collectors V8 heap used MB, V8 heap committed MB, channels held].
    rss_series: Object.fromEntries(
      [...rss].map(([key, samples]) => [
        key,
        samples
          .filter((x, i) => i === 0 || Math.floor(x.t / 30_000) !== Math.floor(samples[i - 1]!.t / 30_000))
          .map((x) => [
            round(x.t / 1000, 0),
            round(x.mb, 1),
            ...(x.heapMb === undefined ? [] : [round(x.heapMb, 1), round(x.heapTotalMb ?? 0, 1)]),
            ...(x.channels === undefined ? [] : [x.channels]),
          ]),
      ]),
    ),
    rss_not_judged: notJudged, // processes with fewer than 4 samples after their baseline (late channel moves, late starts)
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
  writeFileSync(new URL(`./results/soak-${minutes}m.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`)
  console.log(JSON.stringify(result, null, 2))
  const failures = [
    otherLost > 0 && `${otherLost} replies lost beyond the killed collector's in-flight messages`,
    [...errorLines.entries()].some(([label]) => label !== victim?.label) &&
      `error log lines: ${JSON.stringify(Object.fromEntries(errorLines))}`,
    reclaimedAfterMs === undefined && 'not every channel was claimed again after the kill',
    overlayMissing > 0 && `${overlayMissing} overlay deliveries missing`,
    notJudged.length > 0 && `RSS not judged: ${notJudged.join('; ')}`,
    ...Object.entries(growth)
      .filter(([, g]) => g.growth_pct >= 10)
      .map(([label, g]) => `${label} RSS grew ${g.growth_pct} % after warm-up`),
  ].filter(Boolean)
  for (const f of failures) console.error(`soak: FAIL ${f}`)
  process.exitCode = failures.length > 0 ? 1 : 0
} catch (error) {
  console.error(`soak: ${(error as Error).stack}`)
  process.exitCode = 1
} finally {
  await cleanup()
}
