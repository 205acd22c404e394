import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { signSlackRequest } from '../../../test/fakes/slack/events.js'
import { SLACK_SIGNATURE_WINDOW_MS, slackSignature, verifySlackSignature } from './signature.js'

const secret = '8f742231b10e8888abcd99yyyzzz85a5'
const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fwaddlebot&text=ping'
const now = 1_531_420_618_000

describe('slack v0 signatures', () => {
  test("Slack's documented example verifies", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (example request)
    const docBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
    const sig = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'
    assert.equal(slackSignature(secret, 1531420618, docBody), sig)
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: docBody, timestamp: '1531420618', signature: sig, now }),
      { ok: true },
    )
  })

  test('the test fakes sign the way the collector verifies', () => {
    const h = signSlackRequest(secret, body, now / 1000)
    assert.deepEqual(
      verifySlackSignature({
        signingSecret: secret,
        rawBody: body,
        timestamp: h['x-slack-request-timestamp'],
        signature: h['x-slack-signature'],
        now,
      }),
      { ok: true },
    )
  })

  test('another secret, a changed body or a changed timestamp → bad_signature', () => {
    const h = signSlackRequest('other', body, now / 1000)
    const ts = h['x-slack-request-timestamp']
    assert.deepEqual(
      verifySlackSignature({
        signingSecret: secret,
        rawBody: body,
        timestamp: ts,
        signature: h['x-slack-signature'],
        now,
      }),
      { ok: false, reason: 'bad_signature' },
    )
    const good = signSlackRequest(secret, body, now / 1000)['x-slack-signature']
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: `${body}x`, timestamp: ts, signature: good, now }),
      { ok: false, reason: 'bad_signature' },
    )
    assert.deepEqual(
      verifySlackSignature({
        signingSecret: secret,
        rawBody: body,
        timestamp: String(now / 1000 + 1),
        signature: good,
        now,
      }),
      { ok: false, reason: 'bad_signature' },
    )
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: ts, signature: 'v0=short', now }),
      { ok: false, reason: 'bad_signature' },
    )
  })

  test('timestamps outside the 5-minute window (past or future) → stale_timestamp', () => {
    for (const offset of [-SLACK_SIGNATURE_WINDOW_MS - 1000, SLACK_SIGNATURE_WINDOW_MS + 1000]) {
      const ts = Math.floor((now + offset) / 1000)
      const h = signSlackRequest(secret, body, ts)
      assert.deepEqual(
        verifySlackSignature({
          signingSecret: secret,
          rawBody: body,
          timestamp: h['x-slack-request-timestamp'],
          signature: h['x-slack-signature'],
          now,
        }),
        { ok: false, reason: 'stale_timestamp' },
      )
    }
    const edge = signSlackRequest(secret, body, (now - SLACK_SIGNATURE_WINDOW_MS + 1000) / 1000)
    assert.deepEqual(
      verifySlackSignature({
        signingSecret: secret,
        rawBody: body,
        timestamp: edge['x-slack-request-timestamp'],
        signature: edge['x-slack-signature'],
        now,
      }),
      { ok: true },
    )
  })

  test('missing headers and malformed timestamps are refused', () => {
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: undefined, signature: 'v0=x', now }),
      { ok: false, reason: 'missing_headers' },
    )
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: '1', signature: undefined, now }),
      { ok: false, reason: 'missing_headers' },
    )
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: '1e9', signature: 'v0=x', now }),
      { ok: false, reason: 'bad_timestamp' },
    )
    assert.deepEqual(
      verifySlackSignature({ signingSecret: secret, rawBody: body, timestamp: '-5', signature: 'v0=x', now }),
      { ok: false, reason: 'bad_timestamp' },
    )
  })
})
