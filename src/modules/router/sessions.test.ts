import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { createMemoryCache } from '../../runtime/cache/memory.js'
import { LocalSessions, sessionStoreFor } from './sessions.js'

/** Session ids as the router makes them. */
const ids = (n: number) => Array.from({ length: n }, () => randomUUID())

test('a local session is found until its time has passed', async () => {
  let now = 1_000
  const [s1, s2, s3] = ids(3) as [string, string, string]
  const sessions = new LocalSessions(60_000, 1_000, () => now)
  sessions.remember(s1, 'twitch:a:a')
  sessions.remember(s2, 'local:s:c')
  assert.equal(await sessions.entityOf(s1), 'twitch:a:a')
  assert.equal(await sessions.entityOf(s2), 'local:s:c')
  assert.equal(await sessions.entityOf(randomUUID()), undefined)
  now += 30_000
  sessions.remember(s3, 'twitch:a:a')
  now += 30_000
  assert.equal(await sessions.entityOf(s1), undefined, 'expired after 60 s')
  assert.equal(await sessions.entityOf(s3), 'twitch:a:a')
  assert.equal(await sessions.entityOf(s2), undefined)
})

test('only UUIDs as randomUUID writes them are sessions: other ids are unknown, never stored', async () => {
  const sessions = new LocalSessions(60_000, 1_000, () => 5_000)
  const id = randomUUID()
  sessions.remember(id, 'local:s:c')
  for (const other of ['s1', '', id.toUpperCase(), `${id}x`, id.replaceAll('-', '_'), `${id.slice(0, 35)}g`])
    sessions.remember(other, 'twitch:a:a')
  assert.equal(sessions.size, 1)
  assert.equal(await sessions.entityOf(id), 'local:s:c')
  assert.equal(await sessions.entityOf(id.toUpperCase()), undefined)
  assert.equal(await sessions.entityOf('s1'), undefined)
})

test('ids that share their first 32 bits (one table slot) are told apart', async () => {
  const sessions = new LocalSessions(60_000, 1_000, () => 5_000)
  const base = randomUUID()
  const same = Array.from({ length: 40 }, (_, i) => `${base.slice(0, 24)}${i.toString(16).padStart(12, '0')}`)
  for (const [i, id] of same.entries()) sessions.remember(id, `e${i}`)
  for (const [i, id] of same.entries()) assert.equal(await sessions.entityOf(id), `e${i}`)
  assert.equal(await sessions.entityOf(`${base.slice(0, 24)}${'f'.repeat(12)}`), undefined)
})

test('local sessions are bounded: the oldest go first, a generation (an eighth of the bound) at a time', async () => {
  const sessions = new LocalSessions(60_000, 10_000, () => 5_000)
  const all = ids(25_000)
  for (const [i, id] of all.entries()) {
    sessions.remember(id, `e${i % 7}`)
    assert.ok(sessions.size <= 10_000, `${sessions.size} sessions after ${i + 1}`)
  }
  assert.ok(sessions.size > 10_000 - 1_250, `${sessions.size} sessions kept`)
  assert.equal(await sessions.entityOf(all[0]!), undefined)
  assert.equal(await sessions.entityOf(all[14_999]!), undefined)
  assert.equal(await sessions.entityOf(all[16_250]!), `e${16_250 % 7}`)
  assert.equal(await sessions.entityOf(all[24_999]!), `e${24_999 % 7}`)
})

test('a session expires after its time even while its generation is kept', async () => {
  let now = 1_000_000
  const [old, fresh] = ids(2) as [string, string]
  const sessions = new LocalSessions(60_000, 200_000, () => now)
  sessions.remember(old, 'a')
  now += 59_000
  sessions.remember(fresh, 'b') // the same generation as `old`
  assert.equal(await sessions.entityOf(old), 'a')
  now += 2_000
  assert.equal(await sessions.entityOf(old), undefined, 'stored 61 s ago')
  assert.equal(await sessions.entityOf(fresh), 'b')
})

test('whole generations go once their last session has expired, and their tables are used again', async () => {
  let now = 1_000_000
  const sessions = new LocalSessions(60_000, 80, () => now) // generations of 10
  const first = ids(25)
  for (const id of first) sessions.remember(id, 'e')
  assert.equal(sessions.size, 25)
  now += 61_000
  const fresh = randomUUID()
  sessions.remember(fresh, 'f')
  assert.equal(await sessions.entityOf(first[24]!), undefined)
  assert.ok(sessions.size <= 6, `${sessions.size} held: the expired generations went`)
  assert.equal(await sessions.entityOf(fresh), 'f')
  // A reused generation forgets what it held.
  const next = ids(30)
  for (const id of next) sessions.remember(id, 'g')
  for (const id of first) assert.equal(await sessions.entityOf(id), undefined)
  for (const id of next) assert.equal(await sessions.entityOf(id), 'g')
})

test('one local store per in-process cache (a reloaded router keeps its sessions); Redis keeps them as cache keys', async () => {
  const cache = createMemoryCache()
  const fail = (err: unknown) => assert.fail(String(err))
  const a = sessionStoreFor(cache, fail)
  const id = randomUUID()
  a.remember(id, 'local:s:c')
  assert.equal(sessionStoreFor(cache, fail), a)
  assert.equal(await sessionStoreFor(cache, fail).entityOf(id), 'local:s:c')
  assert.notEqual(sessionStoreFor(createMemoryCache(), fail), a)
  await cache.close()
})
