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
  assert.equal(sessions.size, 1)
})

test('local sessions are bounded: the oldest go first', async () => {
  const sessions = new LocalSessions(60_000, 10_000, () => 5)
  for (let i = 0; i < 25_000; i++) sessions.remember(`s${i}`, `e${i % 7}`)
  assert.equal(sessions.size, 10_000)
  assert.equal(await sessions.entityOf('s14999'), undefined)
  assert.equal(await sessions.entityOf('s15000'), 'e6')
  assert.equal(await sessions.entityOf('s24999'), `e${24_999 % 7}`)
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
