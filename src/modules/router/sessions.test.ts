import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createMemoryCache } from '../../runtime/cache/memory.js'
import { LocalSessions, sessionStoreFor } from './sessions.js'

test('a local session is found until its time has passed', async () => {
  let now = 1_000
  const sessions = new LocalSessions(60_000, 1_000, () => now)
  sessions.remember('s1', 'twitch:a:a')
  sessions.remember('s2', 'local:s:c')
  assert.equal(await sessions.entityOf('s1'), 'twitch:a:a')
  assert.equal(await sessions.entityOf('s2'), 'local:s:c')
  assert.equal(await sessions.entityOf('nope'), undefined)
  now += 30_000
  sessions.remember('s3', 'twitch:a:a')
  now += 30_000
  assert.equal(await sessions.entityOf('s1'), undefined, 'expired after 60 s')
  assert.equal(await sessions.entityOf('s3'), 'twitch:a:a')
  assert.equal(await sessions.entityOf('s2'), undefined)
})

test('local sessions are bounded: the oldest go first, a generation (an eighth of the bound) at a time', async () => {
  const sessions = new LocalSessions(60_000, 10_000, () => 5_000)
  for (let i = 0; i < 25_000; i++) {
    sessions.remember(`s${i}`, `e${i % 7}`)
    assert.ok(sessions.size <= 10_000, `${sessions.size} sessions after ${i + 1}`)
  }
  assert.ok(sessions.size > 10_000 - 1_250, `${sessions.size} sessions kept`)
  assert.equal(await sessions.entityOf('s0'), undefined)
  assert.equal(await sessions.entityOf('s14999'), undefined)
  assert.equal(await sessions.entityOf('s16250'), `e${16_250 % 7}`)
  assert.equal(await sessions.entityOf('s24999'), `e${24_999 % 7}`)
})

test('a session expires after its time even while its generation is kept', async () => {
  let now = 1_000_000
  const sessions = new LocalSessions(60_000, 200_000, () => now)
  sessions.remember('old', 'a')
  now += 59_000
  sessions.remember('new', 'b') // the same generation as `old`
  assert.equal(await sessions.entityOf('old'), 'a')
  now += 2_000
  assert.equal(await sessions.entityOf('old'), undefined, 'stored 61 s ago')
  assert.equal(await sessions.entityOf('new'), 'b')
})

test('whole generations go once their last session has expired', async () => {
  let now = 1_000_000
  const sessions = new LocalSessions(60_000, 80, () => now) // generations of 10
  for (let i = 0; i < 25; i++) sessions.remember(`s${i}`, 'e')
  assert.equal(sessions.size, 25)
  now += 61_000
  sessions.remember('fresh', 'e')
  assert.equal(await sessions.entityOf('s24'), undefined)
  assert.ok(sessions.size <= 6, `${sessions.size} held: the expired generations went`)
  assert.equal(await sessions.entityOf('fresh'), 'e')
})

test('one local store per in-process cache (a reloaded router keeps its sessions); Redis keeps them as cache keys', async () => {
  const cache = createMemoryCache()
  const fail = (err: unknown) => assert.fail(String(err))
  const a = sessionStoreFor(cache, fail)
  a.remember('s1', 'local:s:c')
  assert.equal(sessionStoreFor(cache, fail), a)
  assert.equal(await sessionStoreFor(cache, fail).entityOf('s1'), 'local:s:c')
  assert.notEqual(sessionStoreFor(createMemoryCache(), fail), a)
  await cache.close()
})
