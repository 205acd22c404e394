import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { testProject } from '../../../test/helpers/settings.js'
import {
  createTokenCipher,
  deriveKeyFromServiceKey,
  keyIdOf,
  parseSecretKey,
  peekTokenKey,
  resolveTokenKey,
} from './crypto.js'

test('tokens round-trip through AES-256-GCM and the box does not contain the token', () => {
  const cipher = createTokenCipher(randomBytes(32))
  const box = cipher.encrypt('BQD-secret-access-token', 'spotify:c1:access')
  assert.match(box, /^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/)
  assert.ok(!box.includes('secret'))
  assert.equal(cipher.decrypt(box, 'spotify:c1:access'), 'BQD-secret-access-token')
  assert.notEqual(cipher.encrypt('same', 'a'), cipher.encrypt('same', 'a'), 'a fresh IV every time')
})

test('a box opens only with the same key and the same row identity, and not when altered', () => {
  const key = randomBytes(32)
  const box = createTokenCipher(key).encrypt('token', 'spotify:c1:refresh')
  assert.throws(() => createTokenCipher(randomBytes(32)).decrypt(box, 'spotify:c1:refresh'))
  assert.throws(() => createTokenCipher(key).decrypt(box, 'spotify:c2:refresh'), 'moved to another community')
  const parts = box.split('.')
  const body = Buffer.from(parts[3]!, 'base64url')
  body[0] = body[0]! ^ 1
  assert.throws(() =>
    createTokenCipher(key).decrypt(
      [parts[0], parts[1], parts[2], body.toString('base64url')].join('.'),
      'spotify:c1:refresh',
    ),
  )
  const shortTag = [parts[0], parts[1], parts[2]!.slice(0, 6), parts[3]].join('.')
  assert.throws(() => createTokenCipher(key).decrypt(shortTag, 'spotify:c1:refresh'), 'a truncated tag is refused')
  assert.throws(() => createTokenCipher(key).decrypt('plain-text-token', 'x'))
})

test('WADDLEBOT_SECRET_KEY is 32 bytes as hex or base64; anything else is refused with a hint', () => {
  const key = randomBytes(32)
  assert.deepEqual(parseSecretKey(key.toString('hex')), key)
  assert.deepEqual(parseSecretKey(key.toString('base64')), key)
  assert.deepEqual(parseSecretKey(key.toString('base64url')), key)
  assert.throws(
    () => parseSecretKey(randomBytes(16).toString('base64')),
    /32 bytes.*got 16 bytes.*openssl rand -base64 32/,
  )
  assert.throws(() => parseSecretKey('not a key!'), /got neither/)
})

test('without WADDLEBOT_SECRET_KEY the key is derived from the service key (HKDF), deterministic per service key', () => {
  const a = deriveKeyFromServiceKey('wbot_service_one')
  assert.equal(a.length, 32)
  assert.deepEqual(deriveKeyFromServiceKey('wbot_service_one'), a)
  assert.notDeepEqual(deriveKeyFromServiceKey('wbot_service_two'), a)
  const project = testProject({ env: { WADDLEBOT_SERVICE_KEY: 'wbot_service_one' } })
  try {
    assert.deepEqual(resolveTokenKey(project.settings), { key: a, source: 'service key (HKDF)' })
    assert.equal(keyIdOf(peekTokenKey(project.settings)!.key), keyIdOf(a))
  } finally {
    project.cleanup()
  }
  const explicit = randomBytes(32)
  const withKey = testProject({ env: { WADDLEBOT_SECRET_KEY: explicit.toString('hex') } })
  try {
    assert.deepEqual(resolveTokenKey(withKey.settings), { key: explicit, source: 'WADDLEBOT_SECRET_KEY' })
  } finally {
    withKey.cleanup()
  }
  const bare = testProject()
  try {
    assert.equal(peekTokenKey(bare.settings), undefined, 'doctor never creates a service key')
  } finally {
    bare.cleanup()
  }
})
