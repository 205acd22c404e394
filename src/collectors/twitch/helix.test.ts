/** The Helix client and moderation against the fake Helix API; the EventSub route's failure path. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import Fastify from 'fastify'
import { eventSubRequest, type FakeHelix, startFakeHelix, twitchIdOf } from '../../../test/fakes/twitch/index.js'
import type { InboundEvent } from '../../contract/events.js'
import { createCache } from '../../runtime/cache/index.js'
import { createLogger } from '../../runtime/logger.js'
import type { CollectorHandle } from '../core/collector-handle.js'
import { eventSubRoutes } from './eventsub.js'
import { createHelixClient, HelixError } from './helix.js'
import { type ModerationContext, moderate } from './moderation.js'

describe('Helix client', () => {
  let fake: FakeHelix
  before(async () => {
    fake = await startFakeHelix({ clientId: 'cid', token: 'tok' })
  })
  after(() => fake.close())
  const helix = () => createHelixClient({ baseUrl: fake.url, clientId: 'cid', token: 'oauth:tok' })

  test('user lookup by login and id, with Client-Id and Bearer token', async () => {
    const users = await helix().getUsers({ logins: ['Chan', 'bob'], ids: ['77'] })
    assert.deepEqual(
      users.map((u) => u.id),
      [twitchIdOf('chan'), twitchIdOf('bob'), '77'],
    )
    const call = fake.calls.at(-1)!
    assert.equal(call.headers['client-id'], 'cid')
    assert.equal(call.headers.authorization, 'Bearer tok', 'the oauth: prefix is dropped')
    assert.deepEqual(call.query.getAll('login'), ['chan', 'bob'])
    assert.deepEqual(await helix().getUsers({}), [])
  })

  test('whisper, delete, timeout (clamped), ban', async () => {
    const h = helix()
    await h.sendWhisper('1', '2', 'psst')
    await h.deleteChatMessage('10', '20', 'msg-5')
    await h.banUser('10', '20', { userId: '30', durationSeconds: 9_999_999, reason: 'r' })
    await h.banUser('10', '20', { userId: '31' })
    const [w, d, t, b] = fake.actions().slice(-4)
    assert.deepEqual(
      [w!.method, w!.path, w!.query.get('from_user_id'), w!.query.get('to_user_id'), w!.body],
      ['POST', '/whispers', '1', '2', { message: 'psst' }],
    )
    assert.deepEqual([d!.method, d!.path, d!.query.get('message_id')], ['DELETE', '/moderation/chat', 'msg-5'])
    assert.deepEqual(t!.body, { data: { user_id: '30', duration: 1_209_600, reason: 'r' } })
    assert.deepEqual(b!.body, { data: { user_id: '31' } })
  })

  test('errors carry the status and Twitch’s message', async () => {
    const wrong = createHelixClient({ baseUrl: fake.url, clientId: 'cid', token: 'nope' })
    await assert.rejects(
      wrong.getUsers({ logins: ['x'] }),
      (e: HelixError) => e instanceof HelixError && e.status === 401 && /Invalid OAuth token/.test(e.message),
    )
    const down = createHelixClient({ baseUrl: 'http://127.0.0.1:9/helix', clientId: 'cid', token: 'tok' })
    await assert.rejects(down.sendWhisper('1', '2', 'x'), (e: HelixError) => e.status === 0)
  })

  test('moderation: carried out with the right, reported (not attempted) without it', async () => {
    const warnings: string[] = []
    const m = (mod: boolean, withHelix = true): ModerationContext => ({
      helix: withHelix ? helix() : undefined,
      log: { warn: (_o: object, msg: string) => warnings.push(msg), info: () => {} } as never,
      canModerate: () => mod,
      broadcasterId: async () => '10',
      botUserId: async () => '20',
    })
    const ban = {
      kind: 'moderation' as const,
      channel: 'chan',
      action: 'timeout' as const,
      reason: 'r',
      userId: '30',
      durationSeconds: 5,
    }
    const before = fake.actions().length
    assert.equal(await moderate(m(false), ban), 'not_moderator')
    assert.equal(await moderate(m(true, false), ban), 'no_helix')
    assert.equal(await moderate(m(true), { ...ban, action: 'delete' }), 'no_target', 'delete needs a message id')
    assert.equal(fake.actions().length, before, 'nothing was attempted')
    assert.equal(warnings.length, 3)
    assert.equal(await moderate(m(true), ban), 'done')
    assert.deepEqual(fake.actions().at(-1)!.body, { data: { user_id: '30', duration: 5, reason: 'r' } })
  })
})

describe('EventSub route: a failed forward frees the message id for Twitch’s retry', () => {
  test('an error status first (Twitch retries), then the retry of the same id is processed', async () => {
    const cache = await createCache({})
    const forwarded: InboundEvent[] = []
    let fail = true
    const handle = {
      forward: async (e: InboundEvent) => {
        if (fail) throw new Error('router down')
        forwarded.push(e)
        return { session_id: 's', entity_id: 'x', processed: true, outcome: 'event', responses: [] }
      },
      reportLive: async () => {},
    } as unknown as CollectorHandle<unknown>
    const ctx = {
      cache,
      log: createLogger({ level: 'silent' }),
      settings: { env: { TWITCH_EVENTSUB_SECRET: 'k' } },
    } as never
    const app = Fastify()
    await app.register(async (child) => eventSubRoutes(child, ctx, handle, undefined))
    const req = eventSubRequest('k', {
      subscriptionType: 'channel.follow',
      event: {
        user_id: '1',
        user_login: 'a',
        user_name: 'A',
        broadcaster_user_id: '2',
        broadcaster_user_login: 'chan',
      },
    })
    const send = () => app.inject({ method: 'POST', url: '/twitch/eventsub', headers: req.headers, payload: req.body })
    assert.equal((await send()).statusCode, 500, 'not processed: Twitch will retry')
    fail = false
    assert.equal((await send()).statusCode, 204)
    assert.equal((await send()).statusCode, 204)
    assert.equal(forwarded.length, 1, 'the retry was processed, the duplicate after it was not')
    const bad = await app.inject({
      method: 'POST',
      url: '/twitch/eventsub',
      headers: { ...req.headers, 'content-type': 'application/json' },
      payload: '{not json',
    })
    assert.equal(bad.statusCode, 400)
    await app.close()
    await cache.close()
  })
})
