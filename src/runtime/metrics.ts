/**
 * One prom-client registry per process, with process metrics (CPU, RSS, heap, event-loop lag: the
 * `waddlebot_process_*` and `waddlebot_nodejs_*` defaults); every module's /metrics serves it.
 * Every metric is created through a getSingleMetric guard (a name is never registered twice).
 * docs/monitoring.md lists them all.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

export const metricsRegistry = new Registry()
collectDefaultMetrics({ register: metricsRegistry, prefix: 'waddlebot_' })

type Labels = Partial<Record<string, string | number>>

/** One tally of a counter: its labels and what was counted since the last read. */
interface Tally {
  labels: Labels
  n: number
}
/** Tallies by label value, one Map level per label name (no key string is built per `inc`). */
type TallyTree = Map<unknown, TallyTree | Tally>

/**
 * A prom-client Counter whose labelled `inc` is a plain Map update: prom-client hashes the labels on every
 * call (sorted keys, joined), which showed up at ≈ 5% of the router's CPU. The tallies are handed to
 * prom-client when the counter is read (a scrape, `get()`), so what /metrics shows is unchanged. They are
 * found by walking one Map per label name with the label values as they are: joining them into a key
 * string cost ≈ 4 % of the in-process pipeline (docs/performance.md).
 */
function counter(name: string, help: string, labelNames: string[]): Counter {
  const existing = metricsRegistry.getSingleMetric(name) as Counter | undefined
  if (existing) return existing
  const tallies: Tally[] = []
  const tree: TallyTree = new Map()
  const c: Counter = new Counter({
    name,
    help,
    labelNames,
    registers: [metricsRegistry],
    collect() {
      for (const tally of tallies) {
        if (tally.n === 0) continue
        realInc(tally.labels as Record<string, string | number>, tally.n)
        tally.n = 0
      }
    },
  })
  const realInc = c.inc.bind(c) as (labels: Record<string, string | number>, value?: number) => void
  const last = labelNames.length - 1
  c.inc = ((labels?: Labels | number, value?: number) => {
    const by = value ?? 1
    const fast = typeof labels === 'object' && by >= 0 && Number.isFinite(by)
    if (!fast) return (realInc as (...args: unknown[]) => void)(labels, value)
    let node = tree
    for (let i = 0; i < last; i++) {
      const v = labels[labelNames[i]!]
      let next = node.get(v) as TallyTree | undefined
      if (next === undefined) {
        next = new Map()
        node.set(v, next)
      }
      node = next
    }
    const leaf = last < 0 ? undefined : labels[labelNames[last]!]
    const tally = node.get(leaf) as Tally | undefined
    if (tally) tally.n += by
    else if (Object.keys(labels).every((l) => labelNames.includes(l))) {
      const fresh = { labels: { ...labels }, n: by }
      node.set(leaf, fresh)
      tallies.push(fresh)
    } else realInc(labels as Record<string, string | number>, by) // prom-client names the unknown label
  }) as Counter['inc']
  return c
}

function gauge(name: string, help: string, labelNames: string[]): Gauge {
  return (
    (metricsRegistry.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help, labelNames, registers: [metricsRegistry] })
  )
}

/** Events received by the router, by platform and message type. */
export const eventsIn = counter('waddlebot_events_in_total', 'Events received by the router', ['platform', 'type'])
/** Responses the router sent back, by platform and response type (chat, media, moderation, …). */
export const eventsOut = counter('waddlebot_events_out_total', 'Responses sent by the router', ['platform', 'type'])
/** Router outcomes; `module_error` and `timeout` are the errors. */
export const eventOutcomes = counter('waddlebot_event_outcomes_total', 'Router outcomes', ['outcome'])
export const commandExecutions = counter('waddlebot_command_executions_total', 'Command executions', [
  'command',
  'module',
  'status',
])
export const rateLimitRefusals = counter(
  'waddlebot_rate_limit_refusals_total',
  'Commands refused by a rate limit or cooldown',
  ['command', 'reason'],
)
/** Moderation actions carried out on a platform (warn, delete, timeout, ban), counted by the collector that does it. */
export const moderationActions = counter('waddlebot_moderation_actions_total', 'Moderation actions taken', [
  'platform',
  'action',
])
/** Moderation actions the router decided on (its responses of type moderation), by platform. */
export const moderationDecisions = counter(
  'waddlebot_moderation_decisions_total',
  'Moderation actions decided by the router',
  ['platform', 'action'],
)
/** Messages a collector dropped instead of sending (queue full, too old, platform refused). */
export const outboundDrops = counter('waddlebot_outbound_dropped_total', 'Outbound messages dropped by a collector', [
  'platform',
  'reason',
])
/** Messages waiting in a collector's outbound queue (set by the collector). */
export const outboundQueueDepth = gauge('waddlebot_outbound_queue_depth', 'Messages waiting in an outbound queue', [
  'platform',
])
/** Connected overlay WebSockets in this process, by overlay type (set by browser-source). */
export const overlayConnections = gauge('waddlebot_overlay_connections', 'Connected overlay browser sources', ['type'])
/** Live coordination claims per container (the router refreshes it from the coordination table). */
export const coordinationClaims = gauge('waddlebot_coordination_claims', 'Live coordination claims per container', [
  'container',
])

/** Replaces the per-container claim gauge with `containers` (containers no longer holding claims disappear). */
export function setCoordinationClaims(containers: Readonly<Record<string, number>>): void {
  coordinationClaims.reset()
  for (const [container, n] of Object.entries(containers)) coordinationClaims.set({ container }, n)
}

export const commandLatency =
  (metricsRegistry.getSingleMetric('waddlebot_command_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'waddlebot_command_duration_seconds',
    help: 'Command execution latency',
    labelNames: ['module'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  })
