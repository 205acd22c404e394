/**
 * The bolt listeners with a real bolt App (no token: authorize only) and a scripted router: slash-command
 * acks (in time, late, router down, unserved channel), DM delivery, duplicates and unserved events.
 */
import assert from 'node:assert/strict'
import { after, beforeEach, describe, test } from 'node:test'
import { messageEvent, slashCommand } from '../../../test/fakes/slack/events.js'
import type { InboundEvent } from '../../contract/events.js'
import type { EventResult } from '../../contract/router.js'
import { createCache } from '../../runtime/cache/index.js'
import { createLogger } from '../../runtime/logger.js'
import type { OutboundItem } from '../core/types.js'
import { createBoltApp } from './bolt-app.js'
import { registerIntake } from './intake.js'
import { createSlackRenderer } from './render.js'
import type { SlackOp } from './sender.js'
import { createUserDirectory } from './users.js'

const log = createLogger({ level: 'silent' })
const cache = await createCache({})
const result = (event: InboundEvent, text: string): EventResult => ({
  session_id: 's',
  entity_id: event.entity_id ?? '',
  processed: true,
  outcome: 'command',
  responses: [{ type: 'chat', text }],
})

describe('slack intake', () => {
  const bolt = createBoltApp({ signingSecret: 'x' }, log)
  const forwarded: InboundEvent[] = []
  const sent: InboundEvent[] = []
  const queued: OutboundItem<SlackOp>[] = []
  const duplicates: string[] = []
  let reply: (event: InboundEvent) => Promise<EventResult> = async (e) => result(e, 'pong')
  registerIntake(bolt.app, {
    users: createUserDirectory(undefined, cache, log),
    renderer: createSlackRenderer(),
    cache,
    log,
    ackBudgetMs: 100,
    served: (team, channel) => team === 'T1' && (channel === 'C1' || channel.startsWith('D')),
    forward: async (e) => {
      forwarded.push(e)
      return reply(e)
    },
    send: async (e) => {
      sent.push(e)
      return reply(e)
    },
    enqueue: (item) => queued.push(item),
    onDuplicate: (id) => duplicates.push(id),
  })
  const ackOf = async (body: Record<string, unknown>) => {
    let acked: unknown = 'not acked'
    await bolt.dispatch({
      body,
      ack: async (r?: unknown) => {
        acked = r
      },
    })
    return acked
  }

  beforeEach(async () => {
    await bolt.app.init()
    forwarded.length = 0
    sent.length = 0
    queued.length = 0
    reply = async (e) => result(e, 'pong')
  })
  after(() => cache.close())

  test('a slash command answered in time is acked with the reply, not queued', async () => {
    assert.deepEqual(await ackOf(slashCommand({ text: 'ping' })), { response_type: 'in_channel', text: 'pong' })
    assert.equal(sent[0]!.message, '!ping')
    assert.equal(forwarded.length + queued.length, 0)
  })

  test('a router slower than the ack budget: empty ack, then the reply is posted to the channel', async () => {
    let release!: () => void
    reply = (e) =>
      new Promise((resolve) => {
        release = () => resolve(result(e, 'late pong'))
      })
    assert.equal(await ackOf(slashCommand({ text: 'slow' })), undefined)
    release()
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(
      queued.map((q) => q.payload),
      [{ op: 'post', channel: 'C1', text: 'late pong' }],
    )
  })

  test('router down: the user hears it in an ephemeral ack', async () => {
    reply = async () => {
      throw new Error('router unreachable')
    }
    assert.deepEqual(await ackOf(slashCommand({ text: 'ping' })), {
      response_type: 'ephemeral',
      text: 'waddlebot could not reach its router. Try again in a moment.',
    })
  })

  test('a slash command in a channel this process does not serve is not forwarded', async () => {
    assert.deepEqual(await ackOf(slashCommand({ channel: 'C9', text: 'ping' })), {
      response_type: 'ephemeral',
      text: 'waddlebot does not serve this channel.',
    })
    assert.equal(sent.length, 0)
  })

  test('channel messages go through the core (forward); DMs are delivered here', async () => {
    await ackOf(messageEvent({ channel: 'C1', text: '!ping' }))
    assert.equal(forwarded.length, 1)
    assert.equal(queued.length, 0)
    await ackOf(messageEvent({ channel: 'D77', channel_type: 'im', user: 'U77', text: '!ping' }))
    assert.equal(sent[0]!.entity_id, 'slack:T1:D77')
    assert.deepEqual(
      queued.map((q) => q.payload),
      [{ op: 'post', channel: 'D77', text: 'pong' }],
    )
  })

  test('an event id seen before is refused; unserved channels are ignored', async () => {
    const body = messageEvent({ channel: 'C1', text: 'hello' })
    await ackOf(body)
    await ackOf(body)
    assert.equal(forwarded.length, 1)
    assert.deepEqual(duplicates.slice(-1), [body.event_id])
    await ackOf(messageEvent({ channel: 'C5', text: 'hello' }))
    assert.equal(forwarded.length, 1)
  })
})
