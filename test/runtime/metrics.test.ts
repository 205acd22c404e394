/** The router's counters tally in a Map and hand the totals to prom-client when read: /metrics must not change. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { eventOutcomes, eventsIn, metricsRegistry } from '../../src/runtime/metrics.js'

const sampleOf = async (name: string, labels: Record<string, string>) => {
  const metric = await metricsRegistry.getSingleMetric(name)!.get()
  return metric.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0
}

describe('tallied counters', () => {
  test('labelled increments are exact once read, and keep counting after a read', async () => {
    const before = await sampleOf('waddlebot_events_in_total', { platform: 'metrics-test', type: 'chatMessage' })
    for (let i = 0; i < 1000; i++) eventsIn.inc({ platform: 'metrics-test', type: 'chatMessage' })
    eventsIn.inc({ type: 'chatMessage', platform: 'metrics-test' }, 5) // label order does not matter
    assert.equal(
      await sampleOf('waddlebot_events_in_total', { platform: 'metrics-test', type: 'chatMessage' }),
      before + 1005,
    )
    eventsIn.inc({ platform: 'metrics-test', type: 'chatMessage' })
    const text = await metricsRegistry.metrics()
    assert.match(
      text,
      new RegExp(`waddlebot_events_in_total\\{platform="metrics-test",type="chatMessage"\\} ${before + 1006}`),
    )
  })

  test('an unknown label or a negative increment is refused as prom-client refuses it', () => {
    assert.throws(() => eventOutcomes.inc({ outcome: 'command', nope: 'x' } as never), /nope/)
    assert.throws(() => eventOutcomes.inc({ outcome: 'command' }, -1), /negative|decrease/i)
  })
})
