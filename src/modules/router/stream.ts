/**
 * Live monitoring on the router (docs/monitoring.md): `GET /api/v1/stream` (Server-Sent Events:
 * `processed` per event, `health` per module health change, a `: ping` comment every 15 s) and
 * `GET /api/v1/stats` (uptime, events/s over the last minute, latency per module, module health).
 * Both need an admin key; the service key passes. `waddlebot dashboard` and `waddlebot status` read them.
 */
import { EventEmitter } from 'node:events'
import type { FastifyInstance } from 'fastify'
import { authenticate } from '../../runtime/auth.js'
import { moderationDecisions, setCoordinationClaims } from '../../runtime/metrics.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { sql } from '../../runtime/storage/sql.js'
import type { HealthChange, ModuleHealth, ProcessedSummary, RouterStats } from '../../contract/stream.js'
import type { Pipeline } from './pipeline.js'
import { fetchHealth, type HealthProbe, liveClaims, overlaysConnected } from './stream-probe.js'
import { RollingStats } from './stream-window.js'

export { RollingStats } from './stream-window.js'

export type { HealthChange, ModuleHealth, ModuleStats, ModuleStatus, RouterStats } from '../../contract/stream.js'

interface ModuleRow {
  name: string
  port: number | null
  url: string | null
  status: string
}

/**
 * Polls the `modules` table and each module's /health (emits `change` when a status changes); also
 * refreshes the overlay count and the `waddlebot_coordination_claims` gauge.
 */
export class HealthWatch extends EventEmitter<{ change: [HealthChange] }> {
  #rows = new Map<string, ModuleHealth>()
  #polling: Promise<void> | undefined
  overlays: number | null = null
  polledAt = 0

  constructor(
    private readonly ctx: ModuleContext,
    private readonly probe: HealthProbe = fetchHealth,
  ) {
    super()
  }

  /** The modules as of the last poll, by name. */
  list(): ModuleHealth[] {
    return [...this.#rows.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /** One poll (concurrent callers share it). */
  poll(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined
    })
    return this.#polling
  }

  async #poll(): Promise<void> {
    const rows = await this.ctx.storage.query<ModuleRow>(sql`select name, port, url, status from modules`)
    const byName = new Map(rows.map((r) => [r.name, r]))
    for (const name of this.ctx.modules.runnable())
      if (!byName.has(name)) byName.set(name, { name, port: null, url: null, status: 'unknown' })
    const checked = await Promise.all([...byName.values()].map((row) => this.#check(row)))
    const now = Date.now()
    for (const h of checked) {
      const before = this.#rows.get(h.name)
      if (before?.status === h.status) {
        this.#rows.set(h.name, { ...h, changed_at: before.changed_at })
        continue
      }
      this.#rows.set(h.name, { ...h, changed_at: now })
      this.emit('change', {
        time: now,
        module: h.name,
        status: h.status,
        previous: before?.status ?? null,
        ...(h.detail ? { detail: h.detail } : {}),
      })
    }
    for (const name of [...this.#rows.keys()]) if (!byName.has(name)) this.#rows.delete(name)
    const source = this.#rows.get('browser-source')
    this.overlays =
      source && (source.status === 'ok' || source.in_process)
        ? await overlaysConnected(source.url, source.in_process)
        : null
    setCoordinationClaims(await liveClaims(this.ctx.storage, now))
    this.polledAt = now
  }

  async #check(row: ModuleRow): Promise<ModuleHealth> {
    const port = this.ctx.modules.port(row.name)
    const inProcess = this.ctx.modules.isLocal(row.name)
    const portless = port === 0
    const url = port === undefined ? row.url : this.ctx.modules.url(row.name)
    const base = {
      name: row.name,
      port: portless ? null : (row.port ?? port ?? null),
      url: portless ? null : url,
      in_process: inProcess,
      replicas: this.ctx.settings.modules[row.name]?.replicas ?? null,
      changed_at: 0,
    }
    const probed =
      portless || !url ? { status: 'down' as const, detail: 'no port (in-process only)' } : await this.probe(url)
    if (probed.status === 'down' && inProcess) return { ...base, status: 'ok' }
    if (probed.status === 'down' && row.status === 'stopped') return { ...base, status: 'stopped' }
    return { ...base, ...probed }
  }
}

function intervalSetting(ctx: ModuleContext, key: string, fallback: number): number {
  const v = Number(ctx.settings.modules.router?.[key])
  return Number.isFinite(v) && v > 0 ? v : fallback
}

/**
 * Registers `GET /api/v1/stream` and `GET /api/v1/stats` on the router's server and starts the health
 * poll (`modules.router.health_interval_ms`, default 5000; `modules.router.stream_ping_ms`, default 15000).
 * Everything stops when the server closes.
 */
export async function streamRoutes(app: FastifyInstance, ctx: ModuleContext, pipeline: Pipeline): Promise<void> {
  const auth = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const startedAt = Date.now()
  const window = new RollingStats()
  const health = new HealthWatch(ctx)
  health.setMaxListeners(1000)
  const modulesOf = commandModules(pipeline)
  const onProcessed = (s: ProcessedSummary) => {
    window.record(s.command ? (modulesOf(s.command) ?? 'router') : 'router', s.outcome, s.latency_ms, s.time)
    for (const action of s.moderation ?? []) moderationDecisions.inc({ platform: s.platform, action })
  }
  pipeline.activity.on('processed', onProcessed)
  const poll = () => health.poll().catch((err) => ctx.log.warn({ err }, 'module health poll failed'))
  const every = intervalSetting(ctx, 'health_interval_ms', 5000)
  const timer = setInterval(poll, every)
  timer.unref()
  // The first look waits until the modules started beside the router are listening: a probe during start-up
  // finds every one of them down (and costs start-up its CPU).
  const first = setTimeout(poll, Math.min(every, 1000))
  first.unref()
  const pingMs = intervalSetting(ctx, 'stream_ping_ms', 15_000)
  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end()
  })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    clearTimeout(first)
    pipeline.activity.off('processed', onProcessed)
  })

  app.get('/api/v1/stats', async (req): Promise<RouterStats> => {
    await authenticate(req, auth, ['admin'], 'GET /api/v1/stats')
    if (health.polledAt === 0) await poll()
    const now = Date.now()
    const w = window.snapshot(now)
    const modules = health
      .list()
      .map((m) => ({ ...m, ...(w.modules.get(m.name) ?? { p50_ms: null, p99_ms: null, events: 0, errors: 0 }) }))
    return {
      now,
      started_at: startedAt,
      uptime_s: Math.floor((now - startedAt) / 1000),
      events_total: window.total,
      errors_total: window.errorsTotal,
      events_per_s: Math.round((w.events / 60) * 1000) / 1000,
      per_second: w.per_second,
      events_last_minute: w.events,
      errors_last_minute: w.errors,
      outcomes: w.outcomes,
      p50_ms: w.p50_ms,
      p99_ms: w.p99_ms,
      overlays: health.overlays,
      modules,
    }
  })

  app.get('/api/v1/stream', async (req, reply) => {
    await authenticate(req, auth, ['admin'], 'GET /api/v1/stream')
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    res.write(`retry: 2000\n: connected ${new Date().toISOString()}\n\n`)
    const send = (event: string, data: unknown) => {
      if (res.writableLength > 1024 * 1024) return end() // a client that stopped reading
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    const onEvent = (s: ProcessedSummary) => send('processed', s)
    const onHealth = (h: HealthChange) => send('health', h)
    const ping = setInterval(() => res.write(': ping\n\n'), pingMs)
    const end = () => {
      if (!streams.delete(end)) return
      clearInterval(ping)
      pipeline.activity.off('processed', onEvent)
      health.off('change', onHealth)
      res.end()
    }
    streams.add(end)
    pipeline.activity.on('processed', onEvent)
    health.on('change', onHealth)
    req.raw.once('close', end)
    res.once('close', end)
  })
}

/** command → module, from the command index (rebuilt when the index reloads). */
function commandModules(pipeline: Pipeline): (command: string) => string | undefined {
  let source: readonly unknown[] | undefined
  let map = new Map<string, string>()
  return (command) => {
    const rows = pipeline.index.commands
    if (rows !== source) {
      source = rows
      map = new Map()
      for (const r of rows) {
        map.set(`${r.prefix}${r.name}`, r.module)
        for (const alias of safeList(r.aliases)) map.set(`${r.prefix}${alias}`, r.module)
      }
    }
    return map.get(command)
  }
}

function safeList(json: string | null): string[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]')
    return Array.isArray(v) ? v.map(String) : []
  } catch {
    return []
  }
}
