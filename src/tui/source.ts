/**
 * The dashboard's data source. The live one polls the router's stats (every second), keeps its event
 * stream open, reads coordination claims and, when the bot runs the ai module, its usage today (every 5 s),
 * and retries with backoff while the router is unreachable. Tests hand the dashboard a fake source instead.
 */
import { type EventStream, fetchClaims, fetchStats, MonitorHttpError, openStream } from '../cli/monitor-client.js'
import { fetchAiUsage } from '../modules/ai/public.js'
import { isWaddleError } from '../runtime/errors.js'
import type { SourceEvent } from './state.js'

/** Delivers SourceEvents to `emit` from start() until the returned stop function is called. */
export interface DashboardSource {
  readonly url: string
  start(emit: (event: SourceEvent) => void): () => void
}

export interface LiveSourceOptions {
  readonly url: string
  readonly key?: string | undefined
  readonly statsIntervalMs?: number
  readonly claimsIntervalMs?: number
  /** First retry delay after a failure; doubles up to maxRetryMs. */
  readonly retryMs?: number
  readonly maxRetryMs?: number
}

/** A short reason for a failed request: the connection error code, or the router's answer. */
export function describeFailure(error: unknown): { state: 'unreachable' | 'refused'; error: string } {
  if (error instanceof MonitorHttpError)
    return { state: 'refused', error: `${error.status}${error.code ? ` ${error.code}` : ''}` }
  const cause = isWaddleError(error)
    ? (error.cause as { cause?: { code?: string }; message?: string } | undefined)
    : undefined
  const code = cause?.cause?.code ?? cause?.message ?? (error as Error).message
  return { state: 'unreachable', error: String(code) }
}

/** The source that talks to a real router. */
export function liveSource(options: LiveSourceOptions): DashboardSource {
  const url = options.url.replace(/\/$/, '')
  const target = { url, key: options.key }
  const statsEvery = options.statsIntervalMs ?? 1000
  const claimsEvery = options.claimsIntervalMs ?? 5000
  const firstRetry = options.retryMs ?? 1000
  const maxRetry = options.maxRetryMs ?? 5000
  return {
    url,
    start(emit) {
      let stopped = false
      let timer: NodeJS.Timeout | undefined
      let stream: EventStream | undefined
      let retry = firstRetry
      let claimsAt = 0
      const schedule = (ms: number) => {
        if (!stopped) timer = setTimeout(() => void tick(), ms)
      }
      const ensureStream = async () => {
        if (stream) return
        const opened = await openStream(target, {
          processed: (summary) => emit({ type: 'processed', summary }),
          health: (change) => emit({ type: 'health', change }),
        })
        if (stopped) return opened.close()
        stream = opened
        opened.done
          .catch(() => {})
          .finally(() => {
            if (stream === opened) stream = undefined
          })
      }
      const tick = async () => {
        try {
          const stats = await fetchStats(target)
          if (stopped) return
          emit({ type: 'stats', stats })
          await ensureStream()
          if (stopped) return
          emit({ type: 'connection', connection: { state: 'live', url } })
          retry = firstRetry
          if (Date.now() - claimsAt >= claimsEvery) {
            claimsAt = Date.now()
            const claims = await fetchClaims(target).catch(() => undefined)
            if (claims !== undefined && !stopped) emit({ type: 'claims', claims })
            const ai = stats.modules.find((m) => m.name === 'ai' && m.url)
            const usage = ai?.url ? await fetchAiUsage(ai.url, options.key).catch(() => null) : null
            if (!stopped) emit({ type: 'ai', usage })
          }
          schedule(statsEvery)
        } catch (error) {
          if (stopped) return
          stream?.close()
          stream = undefined
          emit({ type: 'connection', connection: { ...describeFailure(error), url, retryAt: Date.now() + retry } })
          schedule(retry)
          retry = Math.min(retry * 2, maxRetry)
        }
      }
      emit({ type: 'connection', connection: { state: 'connecting', url } })
      void tick()
      return () => {
        stopped = true
        clearTimeout(timer)
        stream?.close()
      }
    },
  }
}
