import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import type { Counter, Gauge } from 'prom-client'
import { outboundDrops, outboundQueueDepth } from '../../runtime/metrics.js'
import { type FakeClock, fakeClock } from '../../../test/helpers/fake-clock.js'
import { createOutboundQueue, outboundSent } from './outbound-queue.js'
import type { OutboundItem, OutboundPriority } from './types.js'

/** A queue on a fake clock recording what it sent, with a platform label of its own (metrics). */
function setup(
  options: {
    limit?: number
    windowMs?: number
    maxSize?: number
    maxAgeMs?: number
    fail?: (p: string) => boolean
  } = {},
) {
  const clock = fakeClock()
  const platform = `test-${randomUUID()}`
  const sent: { at: number; channel: string; payload: string; priority: OutboundPriority }[] = []
  const queue = createOutboundQueue<string>({
    platform,
    defaultBudget: { limit: options.limit ?? 20, windowMs: options.windowMs ?? 30_000 },
    ...(options.maxSize ? { maxSize: options.maxSize } : {}),
    ...(options.maxAgeMs ? { maxAgeMs: options.maxAgeMs } : {}),
    send: async (item) => {
      if (options.fail?.(item.payload)) throw new Error(`refused ${item.payload}`)
      sent.push({ at: clock.now(), channel: item.channel, payload: item.payload, priority: item.priority })
    },
    now: clock.now,
    timers: clock,
  })
  const item = (payload: string, priority: OutboundPriority = 'reply', channel = '#a'): OutboundItem<string> => ({
    channel,
    priority,
    payload,
  })
  return { clock, platform, sent, queue, item }
}

async function metric(m: Counter | Gauge, labels: Record<string, string>): Promise<number> {
  const { values } = await m.get()
  return values
    .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
    .reduce((n, v) => n + v.value, 0)
}

/** True when no window of `windowMs` holds more than `limit` sends. */
function withinBudget(times: number[], limit: number, windowMs: number): boolean {
  return times.every((t, i) => times.filter((u) => u >= t && u < t + windowMs).length <= limit && i >= 0)
}

describe('outbound queue', () => {
  test('paces each channel within its sliding-window budget', async () => {
    const { clock, sent, queue, item } = setup({ limit: 20, windowMs: 30_000 })
    for (let i = 0; i < 45; i++) queue.enqueue(item(`m${i}`))
    await clock.settle()
    assert.equal(sent.length, 20, 'the first 20 go at once')
    await clock.advance(29_999)
    assert.equal(sent.length, 20, 'nothing more inside the window')
    await clock.advance(1)
    assert.equal(sent.length, 40)
    await clock.advance(30_000)
    assert.equal(sent.length, 45)
    assert.deepEqual(
      sent.map((s) => s.payload),
      Array.from({ length: 45 }, (_, i) => `m${i}`),
      'FIFO within a priority',
    )
    assert.ok(
      withinBudget(
        sent.map((s) => s.at),
        20,
        30_000,
      ),
    )
    assert.equal(queue.depth(), 0)
  })

  test('channels have independent budgets; setBudget raises one at once', async () => {
    const { clock, sent, queue, item } = setup({ limit: 2, windowMs: 1000 })
    for (let i = 0; i < 5; i++) {
      queue.enqueue(item(`a${i}`, 'reply', '#a'))
      queue.enqueue(item(`b${i}`, 'reply', '#b'))
    }
    await clock.settle()
    assert.deepEqual(sent.map((s) => s.payload).sort(), ['a0', 'a1', 'b0', 'b1'])
    queue.setBudget('#b', { limit: 100, windowMs: 1000 })
    await clock.settle()
    assert.deepEqual(
      sent.filter((s) => s.channel === '#b').map((s) => s.payload),
      ['b0', 'b1', 'b2', 'b3', 'b4'],
    )
    assert.equal(sent.filter((s) => s.channel === '#a').length, 2)
    assert.deepEqual(queue.budgetOf('#b'), { limit: 100, windowMs: 1000 })
    assert.throws(() => queue.setBudget('#c', { limit: 0, windowMs: 1000 }), RangeError)
  })

  test('moderation before replies before announcements, FIFO within each', async () => {
    const { clock, sent, queue, item } = setup({ limit: 1, windowMs: 1000 })
    queue.enqueue(item('first', 'announcement'))
    const mixed: [string, OutboundPriority][] = [
      ['a1', 'announcement'],
      ['r1', 'reply'],
      ['m1', 'moderation'],
      ['a2', 'announcement'],
      ['r2', 'reply'],
      ['m2', 'moderation'],
    ]
    for (const [p, prio] of mixed) queue.enqueue(item(p, prio))
    await clock.advance(6000)
    assert.deepEqual(
      sent.map((s) => s.payload),
      ['first', 'm1', 'm2', 'r1', 'r2', 'a1', 'a2'],
    )
  })

  test('bounded: drops the lowest priority, oldest first, and counts it', async () => {
    const { clock, platform, sent, queue, item } = setup({ limit: 1, windowMs: 1000, maxSize: 3 })
    queue.enqueue(item('busy'))
    await clock.settle()
    assert.deepEqual(queue.enqueue(item('a1', 'announcement')), { accepted: true })
    queue.enqueue(item('r1', 'reply'))
    queue.enqueue(item('a2', 'announcement'))
    const m1 = queue.enqueue(item('m1', 'moderation'))
    assert.equal(m1.accepted, true)
    assert.equal(m1.dropped?.payload, 'a1', 'the oldest announcement made room')
    const a3 = queue.enqueue(item('a3', 'announcement'))
    assert.equal(a3.dropped?.payload, 'a2', 'same priority: the older one goes')
    assert.equal(queue.depth(), 3)
    const m2 = queue.enqueue(item('m2', 'moderation'))
    assert.equal(m2.dropped?.payload, 'a3')
    const refused = queue.enqueue(item('a4', 'announcement'))
    assert.deepEqual(
      refused,
      { accepted: false, dropped: item('a4', 'announcement') },
      'a lower priority than everything queued is refused',
    )
    assert.equal(await metric(outboundDrops, { platform, reason: 'queue_full' }), 4)
    assert.equal(await metric(outboundQueueDepth, { platform }), 3)
    await clock.advance(5000)
    assert.deepEqual(
      sent.map((s) => s.payload),
      ['busy', 'm1', 'm2', 'r1'],
    )
    assert.equal(await metric(outboundSent, { platform }), 4)
    assert.equal(await metric(outboundQueueDepth, { platform }), 0)
  })

  test('a failed send is dropped (send_failed) and the queue moves on', async () => {
    const { clock, platform, sent, queue, item } = setup({ fail: (p) => p === 'bad' })
    queue.enqueue(item('bad'))
    queue.enqueue(item('good'))
    await clock.settle()
    assert.deepEqual(
      sent.map((s) => s.payload),
      ['good'],
    )
    assert.equal(await metric(outboundDrops, { platform, reason: 'send_failed' }), 1)
  })

  test('items older than maxAgeMs are dropped as too_old', async () => {
    const { clock, platform, sent, queue, item } = setup({ limit: 1, windowMs: 10_000, maxAgeMs: 5000 })
    queue.enqueue(item('now'))
    queue.enqueue(item('stale'))
    await clock.advance(10_000)
    assert.deepEqual(
      sent.map((s) => s.payload),
      ['now'],
    )
    assert.equal(await metric(outboundDrops, { platform, reason: 'too_old' }), 1)
  })

  test('one send in flight per channel keeps the order of slow sends', async () => {
    const clock: FakeClock = fakeClock()
    const order: string[] = []
    let release: (() => void) | undefined
    const queue = createOutboundQueue<string>({
      platform: `test-${randomUUID()}`,
      defaultBudget: { limit: 10, windowMs: 1000 },
      now: clock.now,
      timers: clock,
      send: (i) => {
        order.push(`start ${i.payload}`)
        if (i.payload !== 'slow') return Promise.resolve()
        return new Promise<void>((resolve) => {
          release = resolve
        })
      },
    })
    queue.enqueue({ channel: '#a', priority: 'reply', payload: 'slow' })
    queue.enqueue({ channel: '#a', priority: 'reply', payload: 'next' })
    queue.enqueue({ channel: '#b', priority: 'reply', payload: 'other' })
    await clock.settle()
    assert.deepEqual(order, ['start slow', 'start other'])
    release?.()
    await clock.settle()
    assert.deepEqual(order, ['start slow', 'start other', 'start next'])
  })

  test('drain waits for the sends; close drops what is left and refuses more', async () => {
    const { clock, platform, sent, queue, item } = setup({ limit: 1, windowMs: 1000 })
    for (const p of ['x', 'y', 'z']) queue.enqueue(item(p))
    let drained = false
    const draining = queue.drain().then(() => {
      drained = true
    })
    await clock.advance(1000)
    assert.equal(drained, false)
    await clock.advance(1000)
    await draining
    assert.equal(sent.length, 3)
    queue.enqueue(item('late1'))
    queue.enqueue(item('late2'))
    const timedOut = queue.drain(100)
    await clock.advance(100)
    await timedOut
    await queue.close()
    assert.equal(await metric(outboundDrops, { platform, reason: 'closed' }), 2, 'both were still waiting for budget')
    assert.equal(queue.enqueue(item('after')).accepted, false)
    assert.equal(queue.depth(), 0)
  })
})
