/**
 * EventSub webhook security: forged signatures, replayed (old) timestamps and duplicate message ids are
 * refused or deduplicated and never reach the router (a real router, counting what it processed), on both
 * backends; the challenge is answered raw; the signature check is unit-tested on its own.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  eventSubEvents,
  eventSubRequest,
  sendEventSub,
  signEventSub,
  twitchIdOf,
  twitchTimestamp,
} from '../../../test/fakes/twitch/index.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { EVENTSUB_SECRET, startTwitchHarness, type TwitchHarness } from '../../../test/helpers/twitch-harness.js'
import { checkEventSub, EVENTSUB_MAX_AGE_MS } from './eventsub.js'

const SECRET = 's3cret'
const follow = (channel = 'chan', user = 'frank') => ({
  subscriptionType: 'channel.follow',
  event: eventSubEvents.follow(channel, user, twitchIdOf),
})

describe('checkEventSub', () => {
  const now = Date.parse('2024-05-01T12:00:00Z')
  const at = (ms: number) => new Date(now - ms).toISOString().replace('Z', '123456Z')
  const signed = (timestamp: string, body = '{"a":1}', id = 'id-1', key = SECRET) => ({
    headers: {
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-timestamp': timestamp,
      'twitch-eventsub-message-signature': signEventSub(key, id, timestamp, body),
    },
    body,
  })
  test('a correctly signed, fresh message passes (nanosecond timestamps)', () => {
    const m = signed(at(1000))
    assert.equal(checkEventSub(SECRET, m.headers, m.body, now), undefined)
  })
  test('wrong secret, tampered body, tampered id or timestamp: signature mismatch', () => {
    const m = signed(at(0))
    assert.equal(checkEventSub('other', m.headers, m.body, now), 'signature mismatch')
    assert.equal(checkEventSub(SECRET, m.headers, '{"a":2}', now), 'signature mismatch')
    assert.equal(
      checkEventSub(SECRET, { ...m.headers, 'twitch-eventsub-message-id': 'id-2' }, m.body, now),
      'signature mismatch',
    )
    assert.equal(
      checkEventSub(SECRET, { ...m.headers, 'twitch-eventsub-message-timestamp': at(1) }, m.body, now),
      'signature mismatch',
    )
    assert.equal(
      checkEventSub(SECRET, { ...m.headers, 'twitch-eventsub-message-signature': 'sha256=00' }, m.body, now),
      'signature mismatch',
    )
  })
  test('older than 10 min or more than 10 min ahead: refused even when signed', () => {
    const old = signed(at(EVENTSUB_MAX_AGE_MS + 1000))
    assert.equal(checkEventSub(SECRET, old.headers, old.body, now), 'timestamp older than 10 min')
    const ahead = signed(at(-(EVENTSUB_MAX_AGE_MS + 1000)))
    assert.equal(checkEventSub(SECRET, ahead.headers, ahead.body, now), 'timestamp more than 10 min ahead')
    const garbage = signed('yesterday')
    assert.equal(checkEventSub(SECRET, garbage.headers, garbage.body, now), 'unreadable timestamp')
  })
  test('missing headers are refused', () => {
    assert.equal(checkEventSub(SECRET, {}, '', now), 'missing Twitch-Eventsub-Message headers')
  })
})

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`POST /twitch/eventsub against a real router on ${backend.name}`, { skip }, () => {
    let h: TwitchHarness
    const follows = () => h.processed.filter((p) => p.message_type === 'follow').length
    /** Resolves after the router has had time to see a (wrongly) forwarded event: a later good event is seen. */
    const barrier = async (user: string) => {
      assert.equal(
        (
          await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
            subscriptionType: 'channel.raid',
            event: eventSubEvents.raid('chan', user, 1, twitchIdOf),
          })
        ).status,
        204,
      )
      assert.ok(h.processed.some((p) => p.message_type === 'raid' && p.user === user))
    }

    before(async () => {
      h = await startTwitchHarness(backend, { channels: ['chan'], modules: ['router', 'twitch'] })
    })
    after(async () => {
      await h?.close()
    })

    test('webhook_callback_verification is answered with the raw challenge as text/plain', async () => {
      const res = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        type: 'webhook_callback_verification',
        subscriptionType: 'channel.follow',
        challenge: 'pogchamp-kappa-360noscope',
      })
      assert.equal(res.status, 200)
      assert.equal(res.body, 'pogchamp-kappa-360noscope')
      assert.match(res.contentType ?? '', /^text\/plain/)
      const forged = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        type: 'webhook_callback_verification',
        subscriptionType: 'channel.follow',
        challenge: 'x',
        signWith: 'guess',
      })
      assert.equal(forged.status, 403)
      assert.notEqual(forged.body, 'x')
    })

    test('a forged signature is refused (403) and nothing reaches the router', async () => {
      const before = h.processed.length
      const res = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, { ...follow(), signWith: 'not-the-secret' })
      assert.equal(res.status, 403)
      assert.equal(JSON.parse(res.body).error.code, 'WB_WEBHOOK_SIGNATURE_INVALID')
      const tampered = eventSubRequest(EVENTSUB_SECRET, follow())
      const swapped = await fetch(h.eventSubUrl, {
        method: 'POST',
        headers: tampered.headers,
        body: tampered.body.replace('frank', 'mallory'),
      })
      assert.equal(swapped.status, 403)
      const unsigned = await fetch(h.eventSubUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: tampered.body,
      })
      assert.equal(unsigned.status, 403)
      await barrier('after-forged')
      assert.equal(h.processed.length, before + 1, 'only the barrier event was processed')
      assert.equal(follows(), 0)
    })

    test('a replayed message (correctly signed, timestamp 11 min old) is refused and not forwarded', async () => {
      const before = h.processed.length
      const res = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
        ...follow(),
        timestamp: twitchTimestamp(11 * 60_000),
      })
      assert.equal(res.status, 403)
      assert.match(JSON.parse(res.body).error.message, /older than 10 min/)
      await barrier('after-replay')
      assert.equal(h.processed.length, before + 1)
      assert.equal(follows(), 0)
    })

    test('a duplicate message id is processed once', async () => {
      // Unique per run: on Redis the id stays locked for 10 min (shared by every test process).
      const id = `dup-${randomUUID()}`
      const first = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, { ...follow('chan', 'gina'), id })
      assert.equal(first.status, 204)
      assert.equal(follows(), 1)
      for (let i = 0; i < 3; i++) {
        const again = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, { ...follow('chan', 'gina'), id })
        assert.equal(again.status, 204, 'acknowledged so Twitch stops retrying')
      }
      await barrier('after-duplicates')
      assert.equal(follows(), 1, 'the duplicates were not forwarded')
    })

    test('revocations and unmapped subscription types are acknowledged, not forwarded', async () => {
      const before = h.processed.length
      assert.equal(
        (await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, { type: 'revocation', subscriptionType: 'channel.follow' }))
          .status,
        204,
      )
      assert.equal(
        (
          await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, {
            subscriptionType: 'channel.poll.begin',
            event: { broadcaster_user_login: 'chan' },
          })
        ).status,
        204,
      )
      await barrier('after-revocation')
      assert.equal(h.processed.length, before + 1)
    })
  })
}

describe('POST /twitch/eventsub without TWITCH_EVENTSUB_SECRET', () => {
  let h: TwitchHarness
  before(async () => {
    h = await startTwitchHarness(sqliteBackend(), {
      channels: ['chan'],
      modules: ['router', 'twitch'],
      env: { TWITCH_EVENTSUB_SECRET: '' },
    })
  })
  after(async () => {
    await h?.close()
  })
  test('503 WB_WEBHOOK_NOT_CONFIGURED, nothing forwarded', async () => {
    const res = await sendEventSub(h.eventSubUrl, 'anything', follow())
    assert.equal(res.status, 503)
    assert.equal(JSON.parse(res.body).error.code, 'WB_WEBHOOK_NOT_CONFIGURED')
    assert.equal(h.processed.length, 0)
  })
})

describe('webhook only: TWITCH_BOT_TOKEN unset, TWITCH_EVENTSUB_SECRET set', () => {
  let h: TwitchHarness
  before(async () => {
    h = await startTwitchHarness(sqliteBackend(), {
      channels: ['chan'],
      modules: ['router', 'twitch'],
      env: { TWITCH_BOT_TOKEN: '' },
    })
  })
  after(async () => {
    await h?.close()
  })
  test('the webhook is served and forwards; status says chat is not connected; /health stays 200 (degraded); nothing is claimed', async () => {
    const res = await sendEventSub(h.eventSubUrl, EVENTSUB_SECRET, follow('chan', 'hank'))
    assert.equal(res.status, 204)
    assert.ok(h.processed.some((p) => p.message_type === 'follow' && p.user === 'hank'))
    const url = h.runtime.registry.urlOf('twitch')
    const status = (await (await fetch(`${url}/twitch/status`)).json()) as Record<string, unknown>
    assert.equal(status.chat, 'not connected')
    assert.equal(status.reason, 'TWITCH_BOT_TOKEN not set')
    assert.equal(status.webhook, 'ready')
    assert.deepEqual(status.claims, [])
    const health = await fetch(`${url}/health`)
    assert.equal(health.status, 200)
    const body = (await health.json()) as { status: string; detail: Record<string, unknown> }
    assert.equal(body.status, 'degraded', 'configured but not connected is degraded (CONTRACT §9)')
    assert.equal(body.detail.degraded, 'chat not connected: TWITCH_BOT_TOKEN not set')
    assert.equal(body.detail.chat, 'not connected', '/health says why chat is off')
    assert.equal(body.detail.reason, 'TWITCH_BOT_TOKEN not set')
    const twitch = h.runtime.hosted.find((x) => x.def.name === 'twitch')!
    const { claims: _claims, eventsub, ...rest } = status as { claims: string[]; eventsub: Record<string, unknown> }
    assert.deepEqual(
      await twitch.def.health?.(twitch.ctx),
      {
        ...rest,
        claim_count: 0,
        eventsub: { transport: 'off', state: 'off', reason: eventsub.reason, subscriptions: {} },
        degraded: body.detail.degraded,
      },
      'the health check returns the status as its detail, lists as counts',
    )
    assert.equal(h.irc.lines.length, 0, 'no chat connection was made')
    const stats = (await (
      await fetch(`${h.runtime.registry.urlOf('router')}/coordination/stats`, {
        headers: { 'x-api-key': h.runtime.serviceKey },
      })
    ).json()) as { claimed: number }
    assert.equal(stats.claimed, 0)
  })
})
