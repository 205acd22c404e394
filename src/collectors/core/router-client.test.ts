/** The router client against a real router (HTTP) and the runtime's cache (pub/sub), on both backends. */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type RouterFixture, startRouterFixture } from '../../../test/helpers/router-runtime.js'
import type { InboundEvent } from '../../contract/events.js'
import type { Response } from '../../contract/responses.js'
import { createRouterClient, RESPONSES_CHANNEL } from './router-client.js'

const unavailable = await serversUnavailable()
const matrix: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const event = (message: string): InboundEvent => ({
  platform: 'twitch',
  server_id: 'chan',
  channel_id: 'chan',
  user_id: '7',
  user_name: 'ann',
  message,
  message_type: 'chatMessage',
})

for (const [backend, skip] of matrix) {
  describe(`router client on ${backend.name}`, { skip }, () => {
    let f: RouterFixture
    let url: string
    before(async () => {
      f = await startRouterFixture(backend, { listen: true })
      url = f.runtime.registry.urlOf('router')
    })
    after(async () => {
      await f?.close()
    })

    test('send() posts the event with the key and returns the router’s result', async () => {
      const router = createRouterClient({ url: `${url}/`, key: f.keys.collector, cache: f.runtime.cache })
      const result = await router.send(event('!ping'))
      assert.equal(result.outcome, 'command')
      assert.equal(result.entity_id, 'twitch:chan:chan')
      assert.deepEqual(result.responses, [{ type: 'chat', text: 'pong' }])
    })

    test('a refused event is WB_ROUTER_REFUSED with the status and the router’s reason', async () => {
      const bad = createRouterClient({ url, key: 'wbot_collector_nope', cache: f.runtime.cache })
      await assert.rejects(
        bad.send(event('!ping')),
        (e: Error & { code?: string }) => e.code === 'WB_ROUTER_REFUSED' && /HTTP 401/.test(e.message),
      )
      const good = createRouterClient({ url, key: f.keys.collector, cache: f.runtime.cache })
      const { user_id: _drop, ...noUser } = event('!ping')
      await assert.rejects(good.send(noUser as InboundEvent), (e: Error) => /HTTP 400 .*user_id/.test(e.message))
    })

    test('an unreachable router is WB_ROUTER_UNREACHABLE', async () => {
      const down = createRouterClient({ url: 'http://127.0.0.1:9', key: 'k', cache: f.runtime.cache })
      await assert.rejects(
        down.send(event('!ping')),
        (e: Error & { code?: string }) => e.code === 'WB_ROUTER_UNREACHABLE',
      )
    })

    test('events sent together leave in batches; each caller gets its own result, in order, or its own error', async () => {
      const router = createRouterClient({ url, key: f.keys.collector, cache: f.runtime.cache })
      const { user_id: _drop, ...noUser } = event('!ping')
      const sends = Array.from({ length: 30 }, (_, i) =>
        i === 7
          ? router.send(noUser as InboundEvent)
          : router.send({ ...event(i % 2 ? '!ping' : 'just chatting'), channel_id: `c${i % 3}` }),
      )
      const settled = await Promise.allSettled(sends)
      assert.ok(router.batches!.requests < 30, `${router.batches!.requests} requests for 30 events`)
      assert.equal(router.batches!.events, 30)
      for (const [i, s] of settled.entries()) {
        if (i === 7) {
          assert.equal(s.status, 'rejected')
          assert.match(String((s as PromiseRejectedResult).reason.message), /HTTP 400 .*user_id/)
          continue
        }
        assert.equal(s.status, 'fulfilled', `event ${i}`)
        const r = (s as PromiseFulfilledResult<Awaited<ReturnType<typeof router.send>>>).value
        assert.equal(r.entity_id, `twitch:chan:c${i % 3}`)
        assert.equal(r.outcome, i % 2 ? 'command' : 'ignored')
      }
    })

    test('a lone event goes alone, on the single-event endpoint', async () => {
      const router = createRouterClient({ url, key: f.keys.collector, cache: f.runtime.cache })
      const result = await router.send(event('!ping'))
      assert.deepEqual(result.responses, [{ type: 'chat', text: 'pong' }])
      assert.deepEqual(router.batches, { requests: 1, events: 1 })
    })

    test('a refused batch rejects every event in it', async () => {
      const bad = createRouterClient({ url, key: 'wbot_collector_nope', cache: f.runtime.cache })
      const settled = await Promise.allSettled([bad.send(event('!ping')), bad.send(event('!ping'))])
      assert.equal(bad.batches!.requests, 1)
      for (const s of settled) {
        assert.equal(s.status, 'rejected')
        assert.match(String((s as PromiseRejectedResult).reason.message), /HTTP 401/)
      }
    })

    test('onAsyncResponses delivers the router’s published replies (and relayed origins); junk is ignored', async () => {
      const router = createRouterClient({ url, key: f.keys.collector, cache: f.runtime.cache })
      const entity = `twitch:${randomUUID()}:x`
      const got: [string, Response[], InboundEvent | undefined][] = []
      const unsubscribe = await router.onAsyncResponses((id, responses, origin) => {
        if (id === entity) got.push([id, responses, origin])
      })
      await f.runtime.cache.publish(RESPONSES_CHANNEL, {
        entity_id: entity,
        session_id: 's',
        execution_id: 'e',
        responses: [{ type: 'chat', text: 'later' }],
      })
      await f.runtime.cache.publish(RESPONSES_CHANNEL, {
        entity_id: entity,
        responses: [{ type: 'chat', text: 'relayed' }, { type: 'nonsense' }],
        origin: event('!x'),
      })
      await f.runtime.cache.publish(RESPONSES_CHANNEL, { entity_id: entity, responses: 'not a list' })
      await f.runtime.cache.publish(RESPONSES_CHANNEL, 'garbage')
      const end = Date.now() + 5000
      while (got.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
      await new Promise((r) => setTimeout(r, 50))
      await unsubscribe()
      assert.deepEqual(got, [
        [entity, [{ type: 'chat', text: 'later' }], undefined],
        [entity, [{ type: 'chat', text: 'relayed' }], event('!x')],
      ])
    })
  })
}
