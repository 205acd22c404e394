import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createInteractionSigner } from '../../../test/fakes/discord/sign.js'
import { MAX_SKEW_MS, publicKeyFromHex, verifyInteraction } from './verify.js'

describe('discord interaction signatures (Ed25519)', () => {
  const signer = createInteractionSigner()
  const key = publicKeyFromHex(signer.publicKeyHex)
  const now = 1_700_000_000_000
  const ts = String(now / 1000)
  const body = '{"type":1,"id":"1","application_id":"101"}'

  test('a signature over timestamp + raw body verifies', () => {
    assert.deepEqual(verifyInteraction(key, { signature: signer.sign(ts, body), timestamp: ts, rawBody: body }, now), {
      ok: true,
    })
  })

  test('a changed body, timestamp or key fails', () => {
    const signature = signer.sign(ts, body)
    assert.deepEqual(verifyInteraction(key, { signature, timestamp: ts, rawBody: `${body} ` }, now), {
      ok: false,
      reason: 'bad_signature',
    })
    assert.deepEqual(verifyInteraction(key, { signature, timestamp: String(now / 1000 + 1), rawBody: body }, now), {
      ok: false,
      reason: 'bad_signature',
    })
    const other = publicKeyFromHex(createInteractionSigner().publicKeyHex)
    assert.deepEqual(verifyInteraction(other, { signature, timestamp: ts, rawBody: body }, now), {
      ok: false,
      reason: 'bad_signature',
    })
  })

  test('missing or malformed headers fail without throwing', () => {
    assert.deepEqual(verifyInteraction(key, { signature: undefined, timestamp: ts, rawBody: body }, now), {
      ok: false,
      reason: 'missing_signature',
    })
    assert.deepEqual(
      verifyInteraction(key, { signature: signer.sign(ts, body), timestamp: undefined, rawBody: body }, now),
      { ok: false, reason: 'missing_signature' },
    )
    assert.deepEqual(verifyInteraction(key, { signature: 'zz', timestamp: ts, rawBody: body }, now), {
      ok: false,
      reason: 'bad_signature',
    })
  })

  test('a correctly signed request older or newer than 5 min is refused as stale', () => {
    for (const offsetMs of [-(MAX_SKEW_MS + 1000), MAX_SKEW_MS + 1000]) {
      const t = String(Math.floor((now + offsetMs) / 1000))
      assert.deepEqual(verifyInteraction(key, { signature: signer.sign(t, body), timestamp: t, rawBody: body }, now), {
        ok: false,
        reason: 'stale_timestamp',
      })
    }
    const inside = String(Math.floor((now - MAX_SKEW_MS + 2000) / 1000))
    assert.deepEqual(
      verifyInteraction(key, { signature: signer.sign(inside, body), timestamp: inside, rawBody: body }, now),
      { ok: true },
    )
  })

  test('a public key that is not 64 hex characters is a configuration error', () => {
    assert.throws(() => publicKeyFromHex('abc'), /64 hex characters/)
    assert.throws(() => publicKeyFromHex(`${signer.publicKeyHex.slice(0, 62)}zz`), /64 hex characters/)
  })
})
