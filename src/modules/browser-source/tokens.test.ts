import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { serversUnavailable } from '../../../test/helpers/backends.js'
import { type FreshPostgres, freshPostgresUrl } from '../../../test/helpers/pg.js'
import { coreMigrations, createStorage } from '../../runtime/storage/index.js'
import type { Storage } from '../../runtime/storage/types.js'
import { browserSourceMigrations } from './migrations.js'
import { DEFAULT_GRACE_MS, overlayUrls, TokenStore } from './tokens.js'

const unavailable = await serversUnavailable()
const databases: [string, string | undefined][] = [
  ['sqlite', undefined],
  ['postgres', unavailable],
]

for (const [dialect, skip] of databases) {
  describe(`overlay tokens on ${dialect}`, { skip }, () => {
    let storage: Storage
    let pg: FreshPostgres | undefined
    let now = 1_800_000_000_000
    const clock = { now: () => now }
    let store: TokenStore

    before(async () => {
      if (dialect === 'postgres') pg = await freshPostgresUrl()
      storage = await createStorage({ url: pg?.url ?? 'sqlite::memory:' })
      await storage.migrate([coreMigrations, { module: 'browser-source', migrations: browserSourceMigrations }])
      store = new TokenStore(storage, clock)
    })
    after(async () => {
      await storage?.close()
      await pg?.drop()
    })

    test('one url-safe 32-byte token per community and type, created once', async () => {
      const first = await store.ensureTokens('alpha')
      assert.deepEqual(Object.keys(first).sort(), ['general', 'media', 'ticker'])
      for (const token of Object.values(first)) {
        assert.match(token, /^[A-Za-z0-9_-]{43}$/)
        assert.equal(Buffer.from(token, 'base64url').length, 32)
      }
      assert.equal(new Set(Object.values(first)).size, 3)
      assert.deepEqual(await store.ensureTokens('alpha'), first)
      const other = await store.ensureTokens('beta')
      assert.ok(Object.values(other).every((t) => !Object.values(first).includes(t)))
      assert.deepEqual(await store.resolve(first.ticker), { communityId: 'alpha', type: 'ticker' })
      assert.equal(await store.resolve('unknown'), undefined)
    })

    test('concurrent first calls agree on the same tokens', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, () => new TokenStore(storage, clock).ensureTokens('gamma')),
      )
      for (const r of results) assert.deepEqual(r, results[0])
    })

    test('rotation: the old token works until the grace period ends, then never again', async () => {
      const old = (await store.ensureTokens('delta')).media
      assert.ok(await store.resolve(old)) // cached as current before the rotation
      const fresh = await store.rotate('delta', 'media')
      assert.notEqual(fresh, old)
      assert.equal((await store.ensureTokens('delta')).media, fresh)
      assert.deepEqual(await store.resolve(fresh), { communityId: 'delta', type: 'media' })
      assert.deepEqual(await store.resolve(old), {
        communityId: 'delta',
        type: 'media',
        validUntil: now + DEFAULT_GRACE_MS,
      })
      // Another process (its own cache) sees the same.
      const elsewhere = new TokenStore(storage, clock)
      now += DEFAULT_GRACE_MS - 1
      assert.ok(await store.resolve(old))
      assert.ok(await elsewhere.resolve(old))
      now += 1
      assert.equal(await store.resolve(old), undefined)
      assert.equal(await elsewhere.resolve(old), undefined)
      assert.ok(await store.resolve(fresh))
    })

    test('a grace of 0 revokes at once; a second rotation retires the first previous token', async () => {
      const t0 = (await store.ensureTokens('eps')).general
      const t1 = await store.rotate('eps', 'general', 0)
      assert.equal(await store.resolve(t0), undefined)
      const t2 = await store.rotate('eps', 'general', 60_000)
      assert.ok(await store.resolve(t1))
      assert.ok(await store.resolve(t2))
      assert.equal(await store.resolve(t0), undefined)
      await assert.rejects(store.rotate('eps', 'general', -1), RangeError)
    })

    test('a rotation made by another process is seen once the cached lookup expires', async () => {
      const reader = new TokenStore(storage, clock, 5_000)
      const old = (await reader.ensureTokens('zeta')).ticker
      assert.ok(await reader.resolve(old))
      await new TokenStore(storage, clock).rotate('zeta', 'ticker', 1_000)
      now += 2_000 // past the grace, still within the reader's cache entry: the grace was unknown to it
      assert.ok(await reader.resolve(old))
      now += 5_000
      assert.equal(await reader.resolve(old), undefined)
    })
  })
}

test('overlayUrls builds the three page URLs from a base URL', () => {
  assert.deepEqual(overlayUrls('http://127.0.0.1:8027/', { media: 'a', ticker: 'b', general: 'c' }), {
    media: 'http://127.0.0.1:8027/browser/source/a/media',
    ticker: 'http://127.0.0.1:8027/browser/source/b/ticker',
    general: 'http://127.0.0.1:8027/browser/source/c/general',
  })
})
