/**
 * Container and webhook targets come from the commands table: loopback, link-local and metadata addresses are
 * refused (checked on the addresses a name resolves to, at connect time) unless WADDLEBOT_TARGET_ALLOW lists
 * them; private ranges are allowed.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { addressGuard, createTarget, TargetFailure, type TargetRow } from '../../../src/runtime/targets/index.js'
import { type FakeServer, makeRequest, resultFor, startFakeServer } from '../../fakes/webhook-server.js'

const row = (target_type: string, location_url: string): TargetRow => ({
  target_type,
  location_url,
  module: 'ext',
  name: 'greet',
  timeout_ms: 10_000,
})
const modules = {
  get: () => {
    throw new Error('not a module row')
  },
}

describe('address guard', () => {
  test('refuses loopback, unspecified, link-local and metadata addresses; allows private and public ones', () => {
    const guard = addressGuard(undefined)
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '0.0.0.0',
      '169.254.169.254',
      '169.254.10.1',
      '100.100.100.200',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
    ])
      assert.match(guard.refusal('h', a) ?? '', /address; list it in WADDLEBOT_TARGET_ALLOW/, a)
    for (const a of ['10.0.0.5', '172.16.3.4', '192.168.1.2', '8.8.8.8', 'fd12::5', '2001:db8::1'])
      assert.equal(guard.refusal('h', a), undefined, a)
    assert.match(guard.refusal('169.254.169.254', '169.254.169.254')!, /^169\.254\.169\.254 is a link-local/)
  })

  test('WADDLEBOT_TARGET_ALLOW lifts a refusal by address, by range or by host name', () => {
    const byAddress = addressGuard('127.0.0.1')
    assert.equal(byAddress.refusal('h', '127.0.0.1'), undefined)
    assert.ok(byAddress.refusal('h', '127.0.0.2'))
    assert.equal(addressGuard(' 127.0.0.0/8 , ::1').refusal('h', '127.9.9.9'), undefined)
    assert.equal(addressGuard('127.0.0.0/8, ::1').refusal('h', '::1'), undefined)
    const byHost = addressGuard('localhost')
    assert.equal(byHost.refusal('localhost', '127.0.0.1'), undefined)
    assert.ok(byHost.refusal('other.example', '127.0.0.1'))
  })
})

describe('container and webhook rows behind the guard', () => {
  let fake: FakeServer
  before(async () => {
    fake = await startFakeServer((req) => ({ status: 200, body: resultFor(JSON.parse(req.body)) }))
  })
  after(() => fake.close())

  const port = () => new URL(fake.url).port
  const refusedFinal = (e: unknown) =>
    e instanceof TargetFailure && /refused: .*WADDLEBOT_TARGET_ALLOW/.test(e.message) && e.retryable === false

  test('a metadata URL is refused before any connection, without retries', async () => {
    const env = { WADDLEBOT_WEBHOOK_SECRET: 's' }
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]:80/x'])
      for (const type of ['container', 'webhook'])
        await assert.rejects(createTarget(row(type, url), { modules, env }).execute(makeRequest()), refusedFinal)
  })

  test('a name that resolves to loopback is refused at connect time; the fake is never reached', async () => {
    const before = fake.requests.length
    await assert.rejects(
      createTarget(row('container', `http://localhost:${port()}`), { modules, env: {} }).execute(makeRequest()),
      refusedFinal,
    )
    await assert.rejects(
      createTarget(row('container', `http://127.0.0.1:${port()}`), { modules, env: {} }).execute(makeRequest()),
      refusedFinal,
    )
    assert.equal(fake.requests.length, before)
  })

  test('listed in WADDLEBOT_TARGET_ALLOW, the same URLs are reached and answer', async () => {
    for (const [allow, host] of [
      ['localhost', 'localhost'],
      ['127.0.0.0/8', '127.0.0.1'],
    ]) {
      const request = makeRequest()
      const target = createTarget(row('container', `http://${host}:${port()}`), {
        modules,
        env: { WADDLEBOT_TARGET_ALLOW: allow },
      })
      assert.deepEqual(await target.execute(request), resultFor(request))
    }
  })
})
