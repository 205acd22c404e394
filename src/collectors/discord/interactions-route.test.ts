import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import Fastify from 'fastify'
import { createInteractionSigner } from '../../../test/fakes/discord/sign.js'
import { REDIS_TEST_URL, serversUnavailable } from '../../../test/helpers/backends.js'
import { createCache } from '../../runtime/cache/index.js'
import type { Cache } from '../../runtime/cache/types.js'
import { createLogger } from '../../runtime/logger.js'
import { createRest } from './discord-api.js'
import { interactionsRoute } from './interactions-route.js'
import type { SlashFacts } from './normalize.js'
import { publicKeyFromHex } from './verify.js'

const unavailable = await serversUnavailable()
const caches: [string, () => Promise<Cache>, string | undefined][] = [
  ['in-process cache', () => createCache({}), undefined],
  [
    'redis cache',
    () => createCache({ redisUrl: REDIS_TEST_URL, namespace: `wbtest:discord:${process.pid}:${Date.now()}:` }),
    unavailable,
  ],
]

for (const [name, makeCache, skip] of caches) {
  describe(`POST /discord/interactions refusals (${name})`, { skip }, () => {
    const signer = createInteractionSigner()
    const seen: SlashFacts[] = []
    let cache: Cache
    const app = Fastify()
    const ready = (async () => {
      cache = await makeCache()
      const log = createLogger({ level: 'silent' })
      const options = {
        cache,
        log,
        rest: () => createRest('http://127.0.0.1:9/api'),
        onSlash: async (f: SlashFacts) => {
          seen.push(f)
          return [{ kind: 'message' as const, content: `ran ${f.commandName}` }]
        },
      }
      await app.register(async (child) =>
        interactionsRoute(child, { ...options, publicKey: publicKeyFromHex(signer.publicKeyHex) }),
      )
      await app.register(async (child) => interactionsRoute(child, { ...options, publicKey: undefined }), {
        prefix: '/nokey',
      })
      app.post('/plain', async (req) => ({ parsed: typeof req.body }))
    })()
    after(async () => {
      await app.close()
      await cache?.close()
    })
    const post = async (
      payload: string,
      headers: Record<string, string> = signer.headers(payload),
      url = '/discord/interactions',
    ) => {
      await ready
      return app.inject({ method: 'POST', url, payload, headers })
    }
    const slash = (id: string, type = 2) =>
      JSON.stringify({
        id,
        application_id: '101',
        type,
        token: `t${id}`,
        channel_id: '300',
        guild_id: '200',
        member: { user: { id: '9', username: 'ann' }, permissions: '0' },
        data: { name: 'waddlebot', options: [] },
      })

    test('without DISCORD_PUBLIC_KEY the endpoint answers 503 with the webhook code', async () => {
      const res = await post(slash('1'), undefined, '/nokey/discord/interactions')
      assert.equal(res.statusCode, 503)
      assert.equal(res.json().error.code, 'WB_WEBHOOK_NOT_CONFIGURED')
    })

    test('PING is answered with type 1; a signed non-JSON body is 400', async () => {
      assert.deepEqual((await post(JSON.stringify({ id: '2', application_id: '101', type: 1 }))).json(), { type: 1 })
      assert.equal((await post('not json')).statusCode, 400)
    })

    test('autocomplete gets no choices; components are answered as not supported', async () => {
      assert.deepEqual((await post(slash('3', 4))).json(), { type: 8, data: { choices: [] } })
      assert.deepEqual((await post(slash('4', 3))).json(), {
        type: 4,
        data: { content: 'This interaction is not supported.', flags: 64 },
      })
    })

    test('bad signatures are 401 and a duplicate id 409; the command runs once', async () => {
      const body = slash('5')
      assert.equal(
        (await post(body, { ...signer.headers(body), 'x-signature-ed25519': '0'.repeat(128) })).statusCode,
        401,
      )
      assert.equal(seen.length, 0)
      const first = await post(body)
      assert.deepEqual(first.json(), {
        type: 4,
        data: { content: 'ran waddlebot', allowed_mentions: { parse: ['users'] } },
      })
      assert.equal((await post(body)).statusCode, 409)
      assert.equal(seen.filter((f) => f.interactionId === '5').length, 1)
    })

    test('the raw-body parser stays inside the plugin', async () => {
      await ready
      const res = await app.inject({ method: 'POST', url: '/plain', payload: { a: 1 } })
      assert.deepEqual(res.json(), { parsed: 'object' })
    })
  })
}
