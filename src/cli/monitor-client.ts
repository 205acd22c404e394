/**
 * How `waddlebot dashboard` and `waddlebot status` talk to a running deployment: the router's
 * `GET /api/v1/stats`, its Server-Sent Event stream `GET /api/v1/stream`, `GET /coordination/stats`,
 * and each module's `GET /health`.
 */
import type { HealthChange, ProcessedSummary, RouterStats } from '../contract/stream.js'
import type { Settings } from '../runtime/config.js'
import { WaddleError } from '../runtime/errors.js'
import { projectRegistry } from './registry.js'
import { readServiceKey } from '../runtime/service-key.js'

export type { HealthChange, ModuleStats, ModuleStatus, ProcessedSummary, RouterStats } from '../contract/stream.js'

/** A router to monitor: its base URL and an admin key (the local service key by default). */
export interface MonitorTarget {
  readonly url: string
  readonly key?: string | undefined
}

/** The router answered, but not with 2xx (401/403: the key; 404: an older router). */
/**
 * The router that `status` and `dashboard` watch: `--url` or the local router's port, with `--key`, else
 * WADDLEBOT_API_KEY, else the local service key (empty values count as unset).
 */
export function monitorTargetOf(
  settings: Settings,
  flags: { readonly url?: string | undefined; readonly key?: string | undefined },
): MonitorTarget {
  const url = (flags.url || projectRegistry(settings).urlOf('router')).replace(/\/$/, '')
  return { url, key: flags.key || settings.env.WADDLEBOT_API_KEY || readServiceKey(settings) }
}

export class MonitorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message)
    this.name = 'MonitorHttpError'
  }
}

const headers = (t: MonitorTarget): Record<string, string> => (t.key ? { 'x-api-key': t.key } : {})

async function getJson<T>(t: MonitorTarget, path: string, timeoutMs: number): Promise<T> {
  let res: Response
  try {
    res = await fetch(`${t.url}${path}`, { headers: headers(t), signal: AbortSignal.timeout(timeoutMs) })
  } catch (error) {
    throw new WaddleError('WB_ROUTER_UNREACHABLE', { url: t.url }, { cause: error })
  }
  const body = (await res.json().catch(() => ({}))) as T & { error?: { code?: string; message?: string } }
  if (!res.ok)
    throw new MonitorHttpError(
      res.status,
      body.error?.code,
      `${path} answered ${res.status}${body.error?.code ? ` ${body.error.code}` : ''}: ${body.error?.message ?? 'error'}`,
    )
  return body
}

/** `GET /api/v1/stats`. Throws WB_ROUTER_UNREACHABLE, or MonitorHttpError (also when the answer is not a router's). */
export async function fetchStats(t: MonitorTarget, timeoutMs = 3000): Promise<RouterStats> {
  const stats = await getJson<RouterStats>(t, '/api/v1/stats', timeoutMs)
  if (typeof stats?.events_total !== 'number' || !Array.isArray(stats.per_second) || !Array.isArray(stats.modules)) {
    throw new MonitorHttpError(200, 'NOT_A_ROUTER', `${t.url} did not answer like a waddlebot router`)
  }
  return stats
}

/** Live claims per container from `GET /coordination/stats`; null when the router has no coordination (404). */
export async function fetchClaims(t: MonitorTarget, timeoutMs = 3000): Promise<Record<string, number> | null> {
  try {
    return (
      (await getJson<{ containers?: Record<string, number> }>(t, '/coordination/stats', timeoutMs)).containers ?? {}
    )
  } catch (error) {
    if (error instanceof MonitorHttpError && error.status === 404) return null
    throw error
  }
}

/** One parsed Server-Sent Event, or a comment line (`: ping`). */
export type SseMessage = { readonly event: string; readonly data: string } | { readonly comment: string }

/** An incremental `text/event-stream` parser: feed chunks, get complete messages. */
export class SseParser {
  #buffer = ''

  push(chunk: string): SseMessage[] {
    this.#buffer += chunk.replace(/\r\n?/g, '\n')
    const out: SseMessage[] = []
    let end = this.#buffer.indexOf('\n\n')
    while (end >= 0) {
      const block = this.#buffer.slice(0, end)
      this.#buffer = this.#buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) out.push({ comment: line.slice(1).trim() })
        else if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length) out.push({ event, data: data.join('\n') })
      end = this.#buffer.indexOf('\n\n')
    }
    return out
  }
}

export interface StreamHandlers {
  processed?(summary: ProcessedSummary): void
  health?(change: HealthChange): void
  comment?(text: string): void
}

/** An open event stream; `done` settles when it ends (resolves on close(), rejects on an error or EOF). */
export interface EventStream {
  readonly done: Promise<void>
  close(): void
}

/** Opens `GET /api/v1/stream` and dispatches its events until closed. Resolves once the router accepted it. */
export async function openStream(
  t: MonitorTarget,
  handlers: StreamHandlers,
  connectTimeoutMs = 3000,
): Promise<EventStream> {
  const abort = new AbortController()
  const timer = setTimeout(() => abort.abort(new Error('connect timeout')), connectTimeoutMs)
  let res: Response
  try {
    res = await fetch(`${t.url}/api/v1/stream`, {
      headers: { ...headers(t), accept: 'text/event-stream' },
      signal: abort.signal,
    })
  } catch (error) {
    throw new WaddleError('WB_ROUTER_UNREACHABLE', { url: t.url }, { cause: error })
  } finally {
    clearTimeout(timer)
  }
  if (!res.ok || !res.body) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } }
    throw new MonitorHttpError(
      res.status,
      body.error?.code,
      `/api/v1/stream answered ${res.status}${body.error?.code ? ` ${body.error.code}` : ''}: ${body.error?.message ?? 'error'}`,
    )
  }
  let closed = false
  const parser = new SseParser()
  const decoder = new TextDecoder()
  const reader = res.body.getReader()
  const pump = async (): Promise<void> => {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) throw new WaddleError('WB_ROUTER_UNREACHABLE', { url: t.url })
      for (const m of parser.push(decoder.decode(value, { stream: true }))) {
        if ('comment' in m) handlers.comment?.(m.comment)
        else if (m.event === 'processed') handlers.processed?.(JSON.parse(m.data) as ProcessedSummary)
        else if (m.event === 'health') handlers.health?.(JSON.parse(m.data) as HealthChange)
      }
    }
  }
  const done = pump().catch((error: unknown) => {
    if (!closed) throw error
  })
  done.catch(() => {}) // the caller may not await it
  return {
    done,
    close() {
      closed = true
      abort.abort()
      reader.cancel().catch(() => {})
    },
  }
}
