/** One prom-client registry per process, with process metrics; every module's /metrics serves it. */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

export const metricsRegistry = new Registry()
collectDefaultMetrics({ register: metricsRegistry, prefix: 'waddlebot_' })

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (metricsRegistry.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames, registers: [metricsRegistry] })
}

export const eventsIn = counter('waddlebot_events_in_total', 'Events received by the router', ['platform', 'type'])
export const eventOutcomes = counter('waddlebot_event_outcomes_total', 'Router outcomes', ['outcome'])
export const commandExecutions = counter('waddlebot_command_executions_total', 'Command executions', ['command', 'module', 'status'])
export const rateLimitRefusals = counter('waddlebot_rate_limit_refusals_total', 'Commands refused by a rate limit or cooldown', ['command', 'reason'])
export const commandLatency =
  (metricsRegistry.getSingleMetric('waddlebot_command_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'waddlebot_command_duration_seconds',
    help: 'Command execution latency',
    labelNames: ['module'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metricsRegistry],
  })
