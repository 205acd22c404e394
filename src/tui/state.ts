/**
 * The dashboard's data, kept by a pure reducer: what the data source reports (connection, router stats,
 * claims, processed events, health changes) and the pause switch. The components only render it.
 */
import type { HealthChange, ModuleStats, ProcessedSummary, RouterStats } from '../cli/monitor-client.js'
import type { AiUsage } from '../modules/ai/public.js'

/** Where the dashboard stands with the router. */
export type Connection =
  | { readonly state: 'connecting'; readonly url: string }
  | { readonly state: 'live'; readonly url: string }
  /** `refused`: the router answered with an error (a missing or wrong key); `unreachable`: no answer. */
  | {
      readonly state: 'unreachable' | 'refused'
      readonly url: string
      readonly error: string
      readonly retryAt: number
    }

/** What a data source (the live router, or a test's fake) delivers. */
export type SourceEvent =
  | { readonly type: 'connection'; readonly connection: Connection }
  | { readonly type: 'stats'; readonly stats: RouterStats }
  /** Live claims per container; null when the router has no coordination endpoint. */
  | { readonly type: 'claims'; readonly claims: Readonly<Record<string, number>> | null }
  /** Today's AI usage from the ai module; null when the bot runs no ai module (or it does not answer). */
  | { readonly type: 'ai'; readonly usage: AiUsage | null }
  | { readonly type: 'processed'; readonly summary: ProcessedSummary }
  | { readonly type: 'health'; readonly change: HealthChange }

export type DashboardAction = SourceEvent | { readonly type: 'pause' }

/** One line of the live feed. */
export interface FeedItem {
  readonly id: number
  readonly time: number
  readonly kind: 'command' | 'moderation' | 'event' | 'health'
  /** The text shown after the time (and searched by the filter). */
  readonly text: string
  readonly tone: 'ok' | 'warn' | 'error' | 'info'
}

export interface DashboardState {
  readonly connection: Connection
  readonly stats: RouterStats | undefined
  readonly claims: Readonly<Record<string, number>> | null | undefined
  readonly ai: AiUsage | null | undefined
  /** Newest first, at most FEED_MAX. */
  readonly feed: readonly FeedItem[]
  /** Items that arrived while paused (shown on resume). */
  readonly held: readonly FeedItem[]
  readonly paused: boolean
  readonly nextId: number
}

export const FEED_MAX = 500

const ERROR_OUTCOMES = new Set(['module_error', 'timeout'])
const WARN_OUTCOMES = new Set(['forbidden', 'rate_limited', 'unknown_command'])

export function initialState(url: string): DashboardState {
  return {
    connection: { state: 'connecting', url },
    stats: undefined,
    claims: undefined,
    ai: undefined,
    feed: [],
    held: [],
    paused: false,
    nextId: 1,
  }
}

/**
 * The feed line of a processed event; undefined for events the bot ignored, and for plain chat that event
 * handlers looked at without answering (e.g. the ai module's triggers, which see every chat message).
 */
export function describeProcessed(s: ProcessedSummary): Omit<FeedItem, 'id'> | undefined {
  if (s.outcome === 'ignored' && !s.moderation?.length) return undefined
  if (s.outcome === 'event' && s.message_type === 'chatMessage' && s.responses === 0) return undefined
  const where = `${s.platform}/${s.channel_id}`
  const what = s.command ?? s.message_type
  const mod = s.moderation?.length ? ` ⚑ ${s.moderation.join(', ')}` : ''
  const latency = s.latency_ms < 10 ? `${s.latency_ms.toFixed(1)}ms` : `${Math.round(s.latency_ms)}ms`
  const tone = ERROR_OUTCOMES.has(s.outcome)
    ? 'error'
    : s.moderation?.length || WARN_OUTCOMES.has(s.outcome)
      ? 'warn'
      : 'ok'
  return {
    time: s.time,
    kind: s.moderation?.length ? 'moderation' : s.command ? 'command' : 'event',
    text: `${where} ${s.user} ${what} → ${s.outcome}${mod} ${latency}`,
    tone,
  }
}

function describeHealth(h: HealthChange): Omit<FeedItem, 'id'> {
  const tone = h.status === 'ok' ? 'ok' : h.status === 'stopped' ? 'info' : 'error'
  return {
    time: h.time,
    kind: 'health',
    text: `module ${h.module} ${h.previous ?? 'new'} → ${h.status}${h.detail ? ` (${h.detail})` : ''}`,
    tone,
  }
}

function addItem(state: DashboardState, item: Omit<FeedItem, 'id'>): DashboardState {
  const full = { ...item, id: state.nextId }
  if (state.paused) return { ...state, held: [full, ...state.held].slice(0, FEED_MAX), nextId: state.nextId + 1 }
  return { ...state, feed: [full, ...state.feed].slice(0, FEED_MAX), nextId: state.nextId + 1 }
}

function patchModule(stats: RouterStats | undefined, h: HealthChange): RouterStats | undefined {
  if (!stats) return stats
  const known = stats.modules.some((m) => m.name === h.module)
  if (!known) return stats
  const modules: ModuleStats[] = stats.modules.map((m) => {
    if (m.name !== h.module) return m
    const { detail: _old, ...rest } = m
    return { ...rest, status: h.status, changed_at: h.time, ...(h.detail ? { detail: h.detail } : {}) }
  })
  return { ...stats, modules }
}

function sameConnection(a: Connection, b: Connection): boolean {
  if (a.state !== b.state || a.url !== b.url) return false
  if ('error' in a && 'error' in b) return a.error === b.error && a.retryAt === b.retryAt
  return true
}

/** The reducer: a new state for every action (the same object when nothing changed). */
export function reduce(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'connection':
      return sameConnection(state.connection, action.connection) ? state : { ...state, connection: action.connection }
    case 'stats':
      return { ...state, stats: action.stats }
    case 'claims':
      return { ...state, claims: action.claims }
    case 'ai':
      return { ...state, ai: action.usage }
    case 'processed': {
      const item = describeProcessed(action.summary)
      return item ? addItem(state, item) : state
    }
    case 'health':
      return addItem({ ...state, stats: patchModule(state.stats, action.change) }, describeHealth(action.change))
    case 'pause':
      return state.paused
        ? { ...state, paused: false, feed: [...state.held, ...state.feed].slice(0, FEED_MAX), held: [] }
        : { ...state, paused: true }
  }
}
