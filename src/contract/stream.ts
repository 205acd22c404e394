/**
 * The router's monitoring wire (docs/monitoring.md): what `GET /api/v1/stream` (Server-Sent Events) and
 * `GET /api/v1/stats` carry. The router produces it; `waddlebot dashboard` and `waddlebot status` read it.
 */
import type { Outcome } from './router.js'

/** One processed event, summarized for live monitoring (the router's event stream, the dashboard). */
export interface ProcessedSummary {
  readonly time: number
  readonly platform: string
  readonly entity_id: string
  readonly channel_id: string
  readonly user: string
  readonly message_type: string
  readonly command?: string
  readonly outcome: Outcome
  readonly latency_ms: number
  /** The moderation actions taken, if any. */
  readonly moderation?: readonly string[]
  /** How many responses the router answered with (absent from older routers). */
  readonly responses?: number
}

/** ok: /health 200 · degraded: /health 503 (a dependency fails) · down: unreachable · stopped: shut down cleanly. */
export type ModuleStatus = 'ok' | 'degraded' | 'down' | 'stopped'

/** One module as the router sees it: from the `modules` table and the configured runnable modules. */
export interface ModuleHealth {
  readonly name: string
  readonly port: number | null
  readonly url: string | null
  readonly status: ModuleStatus
  /** Why it is not ok: the failing dependency or the connection error. */
  readonly detail?: string
  /** Hosted in the router's own process. */
  readonly in_process: boolean
  /** Configured replicas (`modules.<name>.replicas`), null when not configured. */
  readonly replicas: number | null
  readonly changed_at: number
}

/** A `health` event of the stream. */
export interface HealthChange {
  readonly time: number
  readonly module: string
  readonly status: ModuleStatus
  readonly previous: ModuleStatus | null
  readonly detail?: string
}

/** A module row of `GET /api/v1/stats`: its health plus its last minute of traffic. */
export interface ModuleStats extends ModuleHealth {
  readonly p50_ms: number | null
  readonly p99_ms: number | null
  readonly events: number
  readonly errors: number
}

/** `GET /api/v1/stats`. Windows are the last 60 one-second buckets; `per_second` is oldest first. */
export interface RouterStats {
  readonly now: number
  readonly started_at: number
  readonly uptime_s: number
  readonly events_total: number
  readonly errors_total: number
  readonly events_per_s: number
  readonly per_second: readonly number[]
  readonly events_last_minute: number
  readonly errors_last_minute: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly p50_ms: number | null
  readonly p99_ms: number | null
  /** Connected overlays when browser-source runs, else null. */
  readonly overlays: number | null
  readonly modules: readonly ModuleStats[]
}
