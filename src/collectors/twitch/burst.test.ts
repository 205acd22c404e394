/**
 * Acceptance: a burst of 200 replies to one Twitch channel is paced within Twitch's budget (20 / 30 s, or
 * 100 / 30 s as a moderator) with moderation actions first, driven on a fake clock (no wall-clock timing):
 * the Twitch renderer feeds the outbound queue exactly as the collector wires them.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, test } from 'node:test'
import type { InboundEvent } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import { outboundDrops } from '../../runtime/metrics.js'
import { fakeClock } from '../../../test/helpers/fake-clock.js'
import { createOutboundQueue } from '../core/outbound-queue.js'
import { TWITCH_BUDGET, TWITCH_MOD_BUDGET } from './config.js'
import { renderTwitch, type TwitchPayload } from './render.js'

const ENTITY = 'twitch:chan:chan'
const origin = (i: number): InboundEvent => ({
  platform: 'twitch',
  server_id: 'chan',
  channel_id: 'chan',
  entity_id: ENTITY,
  user_id: `u${i}`,
  user_name: `viewer${i}`,
  message: `!cmd ${i}`,
  message_id: `m${i}`,
  message_type: 'chatMessage',
})

function burstQueue(queueSize = 1000) {
  const clock = fakeClock()
  const platform = `twitch-burst-${randomUUID()}`
  const sent: { at: number; payload: TwitchPayload }[] = []
  const queue = createOutboundQueue<TwitchPayload>({
    platform,
    defaultBudget: TWITCH_BUDGET,
    maxSize: queueSize,
    now: clock.now,
    timers: clock,
    send: async (item) => {
      sent.push({ at: clock.now(), payload: item.payload })
    },
  })
  /** Renders the router's responses to viewer `i` and queues them, as the collector does. */
  const reply = (i: number, responses: Response[]) => {
    for (const item of renderTwitch(ENTITY, responses, origin(i), 'reply', 3)) queue.enqueue(item)
  }
  return { clock, platform, sent, queue, reply }
}

/** The most sends inside any window of `windowMs`. */
function peak(times: number[], windowMs: number): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length))
}

describe('a burst of 200 replies to one Twitch channel', () => {
  test('paced at 20 / 30 s; moderation actions go out first', async () => {
    const { clock, sent, reply } = burstQueue()
    const moderatedAt = new Set([50, 120, 199])
    const arrived = new Map<string, number>()
    // The replies arrive over 20 s (one every 100 ms); three of them are moderation actions.
    for (let i = 0; i < 200; i++) {
      arrived.set(`u${i}`, clock.now())
      reply(
        i,
        moderatedAt.has(i)
          ? [{ type: 'moderation', action: 'timeout', reason: 'spam', duration: 30 }]
          : [{ type: 'chat', text: `pong ${i}` }],
      )
      await clock.advance(100)
    }
    assert.equal(sent.length, 20, 'the first window: 20 messages')
    await clock.advance(30_000 * 10)
    assert.equal(sent.length, 200, 'everything went out')
    const times = sent.map((s) => s.at)
    assert.ok(peak(times, 30_000) <= 20, 'never more than 20 in any 30 s')
    for (let i = 20; i < times.length; i++)
      assert.equal(times[i]! - times[i - 20]!, 30_000, 'backlogged: each send as soon as the window allows, not later')
    const moderation = sent.filter((s) => s.payload.kind === 'moderation')
    assert.deepEqual(
      moderation.map((s) => (s.payload as { userId?: string }).userId),
      ['u50', 'u120', 'u199'],
    )
    for (const m of moderation) {
      const since = arrived.get((m.payload as { userId: string }).userId)!
      const before = sent.slice(0, sent.indexOf(m)).filter((s) => s.payload.kind === 'say' && s.at > since)
      assert.deepEqual(before, [], 'once it arrived, no waiting reply went out before the moderation action')
    }
    assert.equal(
      sent.indexOf(moderation[0]!),
      20,
      'the first action (arrived while the window was full) opens the next window',
    )
    const replies = sent.filter((s) => s.payload.kind === 'say').map((s) => (s.payload as { text: string }).text)
    assert.deepEqual(
      replies,
      Array.from({ length: 200 }, (_, i) => i)
        .filter((i) => !moderatedAt.has(i))
        .map((i) => `pong ${i}`),
      'replies keep their order',
    )
  })

  test('where the bot is a moderator: 100 / 30 s', async () => {
    const { clock, sent, queue, reply } = burstQueue()
    queue.setBudget('chan', TWITCH_MOD_BUDGET)
    for (let i = 0; i < 200; i++) reply(i, [{ type: 'chat', text: `pong ${i}` }])
    await clock.settle()
    assert.equal(sent.length, 100)
    await clock.advance(30_000)
    assert.equal(sent.length, 200)
    assert.ok(
      peak(
        sent.map((s) => s.at),
        30_000,
      ) <= 100,
    )
  })

  test('a warn is a moderation-priority chat line; a chat reply of 3 parts stays together in order', async () => {
    const { clock, sent, reply } = burstQueue()
    for (let i = 0; i < 25; i++) reply(i, [{ type: 'chat', text: `pong ${i}` }])
    await clock.settle()
    reply(99, [
      { type: 'chat', text: `${'word '.repeat(150)}end` },
      { type: 'moderation', action: 'warn', reason: 'no caps please' },
    ])
    await clock.advance(30_000)
    const texts = sent.map((s) => (s.payload as { text?: string }).text ?? '')
    assert.equal(texts[20], '@viewer99 no caps please', 'the warning jumps the queue')
    const parts = texts.filter((t) => t.startsWith('word') || t.endsWith('end'))
    assert.equal(parts.length, 2)
    assert.ok(parts.every((t) => t.length <= 500))
  })

  test('bounded: beyond the queue size the oldest replies are dropped and counted, moderation kept', async () => {
    const { clock, platform, sent, reply } = burstQueue(100)
    for (let i = 0; i < 200; i++) reply(i, [{ type: 'chat', text: `pong ${i}` }])
    reply(500, [{ type: 'moderation', action: 'ban', reason: 'bot' }])
    const drops = (await outboundDrops.get()).values.filter(
      (v) => v.labels.platform === platform && v.labels.reason === 'queue_full',
    )
    assert.equal(
      drops.reduce((n, v) => n + v.value, 0),
      100,
      '1 in flight, 100 held: 99 replies dropped, and one more to make room for the ban',
    )
    await clock.advance(30_000 * 5)
    assert.equal(sent[1]!.payload.kind, 'moderation', 'the ban was kept and sent first')
    assert.equal(sent.length, 101)
    assert.equal((sent.at(-1)!.payload as { text: string }).text, 'pong 199', 'the newest replies were kept')
  })
})
