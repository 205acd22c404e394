import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ReceiverEvent } from '@slack/bolt'
import Fastify, { type FastifyInstance } from 'fastify'
import { signSlackRequest } from '../../../test/fakes/slack/events.js'
import { createLogger } from '../../runtime/logger.js'
import { SlackNotReadyError, slackRoutes } from './receiver.js'

const secret = 'shh'

describe('slack routes (bolt receiver semantics on fastify)', () => {
  let app: FastifyInstance
  const seen: ReceiverEvent[] = []
  let behave: (e: ReceiverEvent) => Promise<void> = async (e) => e.ack()

  before(async () => {
    app = Fastify()
    await app.register(async (child) => {
      slackRoutes(child as unknown as FastifyInstance, {
        signingSecret: secret,
        log: createLogger({ level: 'silent' }),
        ackTimeoutMs: 100,
        dispatch: (e) => {
          seen.push(e)
          return behave(e)
        },
      })
    })
    app.post('/other', async (req) => ({ parsed: typeof req.body }))
  })
  after(() => app.close())

  const post = (
    url: string,
    raw: string,
    type = 'application/json',
    extra: Record<string, string> = {},
    key = secret,
  ) =>
    app.inject({
      method: 'POST',
      url,
      payload: raw,
      headers: { 'content-type': type, ...signSlackRequest(key, raw), ...extra },
    })

  test('the signature is checked over the raw bytes (not re-serialized JSON)', async () => {
    seen.length = 0
    const raw = '{ "type": "event_callback", "event_id": "Ev1",  "text": "\\u00e9" }'
    const res = await post('/slack/events', raw)
    assert.equal(res.statusCode, 200)
    assert.equal(seen.length, 1)
    assert.equal(seen[0]!.body.text, 'é')
  })

  test('ack(body) becomes the response: objects as JSON, strings as text, nothing as an empty 200', async () => {
    behave = async (e) => e.ack({ response_type: 'ephemeral', text: 'hi' })
    const json = await post(
      '/slack/commands',
      'command=%2Fwaddlebot&text=ping&team_id=T1',
      'application/x-www-form-urlencoded',
    )
    assert.deepEqual(json.json(), { response_type: 'ephemeral', text: 'hi' })
    behave = async (e) => e.ack('plain')
    assert.equal((await post('/slack/commands', 'command=%2Fx', 'application/x-www-form-urlencoded')).body, 'plain')
    behave = async () => {}
    const empty = await post('/slack/events', '{"type":"event_callback"}')
    assert.equal(empty.statusCode, 200)
    assert.equal(empty.body, '')
  })

  test('a listener that never acks is answered empty after the ack timeout; a late ack is ignored', async () => {
    let late: (() => Promise<void>) | undefined
    behave = (e) => {
      late = () => e.ack({ text: 'too late' })
      return new Promise(() => {})
    }
    const res = await post('/slack/events', '{"type":"event_callback"}')
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, '')
    await late?.()
  })

  test('form bodies, interaction payloads and retry headers reach bolt parsed', async () => {
    seen.length = 0
    behave = async (e) => e.ack()
    await post('/slack/commands', 'command=%2Fwaddlebot&text=a+b', 'application/x-www-form-urlencoded')
    await post(
      '/slack/interactions',
      `payload=${encodeURIComponent('{"type":"block_actions","actions":[]}')}`,
      'application/x-www-form-urlencoded',
    )
    await post('/slack/events', '{"type":"event_callback","event_id":"Ev2"}', 'application/json', {
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
    })
    assert.deepEqual(seen[0]!.body, { command: '/waddlebot', text: 'a b' })
    assert.equal(seen[1]!.body.type, 'block_actions')
    assert.deepEqual([seen[2]!.retryNum, seen[2]!.retryReason], [2, 'http_timeout'])
  })

  test('refused, unparseable, ssl_check and url_verification requests never reach bolt', async () => {
    seen.length = 0
    assert.equal(
      (await post('/slack/events', '{"type":"event_callback"}', 'application/json', {}, 'wrong')).statusCode,
      401,
    )
    assert.equal((await post('/slack/events', '{nope')).statusCode, 400)
    const ssl = await app.inject({
      method: 'POST',
      url: '/slack/commands',
      payload: 'ssl_check=1&token=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    assert.equal(ssl.statusCode, 200)
    assert.deepEqual((await post('/slack/events', '{"type":"url_verification","challenge":"c1"}')).json(), {
      challenge: 'c1',
    })
    assert.equal(seen.length, 0)
  })

  test('a dispatch that is not ready yet answers 503 (Slack retries)', async () => {
    behave = async () => {
      throw new SlackNotReadyError()
    }
    assert.equal((await post('/slack/events', '{"type":"event_callback"}')).statusCode, 503)
  })

  test("the raw-body parser is encapsulated: the server's other routes still parse JSON", async () => {
    const res = await app.inject({ method: 'POST', url: '/other', payload: { a: 1 } })
    assert.deepEqual(res.json(), { parsed: 'object' })
  })
})

describe('slack routes without a signing secret', () => {
  test('answer 503 and dispatch nothing', async () => {
    const app = Fastify()
    let dispatched = 0
    await app.register(async (child) => {
      slackRoutes(child as unknown as FastifyInstance, {
        signingSecret: undefined,
        log: createLogger({ level: 'silent' }),
        dispatch: async () => {
          dispatched++
        },
      })
    })
    const res = await app.inject({
      method: 'POST',
      url: '/slack/events',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    })
    assert.equal(res.statusCode, 503)
    assert.equal(res.json().error.code, 'WB_WEBHOOK_NOT_CONFIGURED')
    assert.equal(dispatched, 0)
    await app.close()
  })
})
