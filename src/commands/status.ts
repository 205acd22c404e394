import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { fetchStats, type ModuleStats, monitorTargetOf, type RouterStats } from '../cli/monitor-client.js'
import { fetchHealth } from '../runtime/health-probe.js'
import { WaddleError } from '../runtime/errors.js'
import { projectRegistry } from '../cli/registry.js'
import type { Registry } from '../runtime/registry.js'
import { describeFailure } from '../tui/source.js'
import { cell, formatMs, formatRate, formatUptime } from '../tui/format.js'

/** One module in the status report. */
export interface StatusRow {
  name: string
  port: number | null
  url: string | null
  status: 'ok' | 'degraded' | 'down' | 'stopped'
  detail?: string
  p99_ms: number | null
  errors: number | null
}

/** What `status --json` prints. */
export interface StatusReport {
  ok: boolean
  router: {
    url: string
    reachable: boolean
    error?: string
    uptime_s?: number
    events_total?: number
    events_per_s?: number
    errors_last_minute?: number
    overlays?: number | null
  }
  modules: StatusRow[]
  down: string[]
}

/** Local mode: every runnable module's /health, completed by what the router knows (in-process modules, latency). */
async function localRows(registry: Registry, stats: RouterStats | undefined): Promise<StatusRow[]> {
  return Promise.all(
    registry.runnable().map(async (entry): Promise<StatusRow> => {
      const port = entry.port === 0 ? null : registry.portOf(entry.name)
      const url = port === null ? null : registry.urlOf(entry.name)
      const seen = stats?.modules.find((m) => m.name === entry.name)
      const probe = url ? await fetchHealth(url) : { status: 'down' as const, detail: 'no port of its own' }
      const traffic = { p99_ms: seen?.p99_ms ?? null, errors: seen ? seen.errors : null }
      if (probe.status === 'down' && seen?.in_process && seen.status === 'ok')
        return { name: entry.name, port, url, status: 'ok', detail: 'in-process with the router', ...traffic }
      return { name: entry.name, port, url, ...probe, ...traffic }
    }),
  )
}

/** Without the router no event reaches any module: modules that answer are degraded, not ok. */
export function routerDownMarksDependents(rows: StatusRow[]): StatusRow[] {
  const router = rows.find((r) => r.name === 'router')
  if (router?.status !== 'down') return rows
  return rows.map((r) =>
    r.name !== 'router' && r.status === 'ok'
      ? { ...r, status: 'degraded', detail: 'router down: no events reach it' }
      : r,
  )
}

const fromRouter = (m: ModuleStats): StatusRow => ({
  name: m.name,
  port: m.port,
  url: m.url,
  status: m.status,
  ...(m.detail ? { detail: m.detail } : {}),
  p99_ms: m.p99_ms,
  errors: m.errors,
})

export default class Status extends BaseCommand<typeof Status> {
  static override summary = 'Health of every runnable module, for scripts and CI (exit 7 when one is not ok)'
  static override description =
    "Checks GET /health of each enabled module at its URL and reads the router's stats when it answers. With --url, reports the module table of that router instead. Exits 0 when every module is ok, 7 (WB_MODULE_DOWN) otherwise."
  static override flags = {
    json: Flags.boolean({ description: 'print the report as JSON' }),
    url: Flags.string({ description: 'router URL (default: the local modules and router)' }),
    key: Flags.string({
      description: 'admin API key for the router stats (default: WADDLEBOT_API_KEY, else the local service key)',
    }),
  }
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json',
    '<%= config.bin %> status --url http://bot.example:8000 --key wbot_admin_…',
  ]

  async run(): Promise<void> {
    const { flags } = await this.parse(Status)
    const settings = this.settings(flags)
    const registry = projectRegistry(settings)
    const { url, key } = monitorTargetOf(settings, flags)
    let stats: RouterStats | undefined
    let routerError: string | undefined
    try {
      stats = await fetchStats({ url, key })
    } catch (error) {
      routerError = describeFailure(error).error
    }
    const modules = flags.url
      ? (stats?.modules.map(fromRouter) ?? [
          {
            name: 'router',
            port: null,
            url,
            status: 'down' as const,
            detail: `unreachable at ${url} (${routerError})`,
            p99_ms: null,
            errors: null,
          },
        ])
      : routerDownMarksDependents(await localRows(registry, stats))
    const down = modules.filter((m) => m.status !== 'ok')
    const report: StatusReport = {
      ok: down.length === 0,
      router: stats
        ? {
            url,
            reachable: true,
            uptime_s: stats.uptime_s,
            events_total: stats.events_total,
            events_per_s: stats.events_per_s,
            errors_last_minute: stats.errors_last_minute,
            overlays: stats.overlays,
          }
        : { url, reachable: false, ...(routerError ? { error: routerError } : {}) },
      modules,
      down: down.map((m) => m.name),
    }
    const failure = down.length
      ? new WaddleError('WB_MODULE_DOWN', {
          count: down.length,
          total: modules.length,
          modules: down
            .map(
              (m) =>
                `${m.name} (${m.status === 'down' ? (m.detail ?? 'down') : `${m.status}${m.detail ? `: ${m.detail}` : ''}`})`,
            )
            .join(', '),
        })
      : undefined
    if (flags.json) {
      this.log(JSON.stringify(failure ? { ...report, error: failure.toJSON() } : report, null, 2))
      if (failure) this.exit(failure.exitCode)
      return
    }
    this.log(`${cell('MODULE', 18)}${cell('PORT', 7)}${cell('STATUS', 10)}${cell('P99', 9)}${cell('ERRORS', 8)}DETAIL`)
    for (const m of modules) {
      this.log(
        `${cell(m.name, 18)}${cell(m.port === null ? '—' : String(m.port), 7)}${cell(m.status, 10)}${cell(formatMs(m.p99_ms), 9)}${cell(m.errors === null ? '—' : String(m.errors), 8)}${m.detail ?? m.url ?? ''}`,
      )
    }
    this.log(
      stats
        ? `router ${url}: up ${formatUptime(stats.uptime_s)} · ${stats.events_total} events · ${formatRate(stats.events_per_s)} ev/s · ${stats.errors_last_minute} errors in the last minute`
        : `router ${url}: no stats (${routerError})`,
    )
    if (failure) throw failure
  }
}
