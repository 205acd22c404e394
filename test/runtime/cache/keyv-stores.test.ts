import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import Keyv, { type KeyvStoreAdapter } from 'keyv'
import { createIoredisKeyvStore, createSqliteKeyvStore } from '../../../src/runtime/cache/keyv-stores.js'
import { deleteRedisPrefix, redisSkipReason, TEST_REDIS_URL, uniqueNamespace } from '../../contract/cache-suite.js'

const skipRedis = await redisSkipReason()

/** What every store must do under Keyv. */
function keyvBehaviour(getStore: () => KeyvStoreAdapter): void {
  it('sets, gets, checks and deletes values through Keyv', async () => {
    const keyv = new Keyv({ store: getStore(), throwOnErrors: true })
    await keyv.set('obj', { a: [1, 'b'], c: null })
    assert.deepEqual(await keyv.get('obj'), { a: [1, 'b'], c: null })
    assert.equal(await keyv.get('missing'), undefined)
    assert.equal(await keyv.has('obj'), true)
    await keyv.set('two', 2)
    assert.deepEqual(await keyv.get(['obj', 'missing', 'two']), [{ a: [1, 'b'], c: null }, undefined, 2])
    assert.equal(await keyv.delete('obj'), true)
    assert.equal(await keyv.delete('obj'), false)
    assert.equal(await keyv.has('obj'), false)
    assert.equal(await keyv.delete(['two']), true)
    assert.equal(await keyv.get('two'), undefined)
  })

  it('expires values after their TTL', async () => {
    const keyv = new Keyv({ store: getStore(), throwOnErrors: true })
    await keyv.set('short', 'x', 100)
    await keyv.set('long', 'y', 60_000)
    assert.equal(await keyv.get('short'), 'x')
    await sleep(200)
    assert.equal(await keyv.get('short'), undefined)
    assert.equal(await keyv.get('long'), 'y')
  })

  it('expires entries by itself, without Keyv checking', async () => {
    const store = getStore()
    await store.set('raw', 'payload', 50)
    assert.equal(await store.get('raw'), 'payload')
    await sleep(150)
    assert.equal(await store.get('raw'), undefined)
    assert.equal(await store.has?.('raw'), false)
  })

  it('clears everything it stored', async () => {
    const keyv = new Keyv({ store: getStore(), throwOnErrors: true })
    await Promise.all(Array.from({ length: 1200 }, (_, i) => keyv.set(`bulk:${i}`, i)))
    await keyv.clear()
    assert.deepEqual(await keyv.get(['bulk:0', 'bulk:600', 'bulk:1199']), [undefined, undefined, undefined])
  })
}

describe('createSqliteKeyvStore', () => {
  let dir: string
  let db: Database.Database
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'wb-keyv-'))
    db = new Database(join(dir, 'keyv.db'))
  })
  after(() => {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  })

  keyvBehaviour(() => createSqliteKeyvStore(db))

  it('deletes an expired row when it is read', async () => {
    const store = createSqliteKeyvStore(db, 'expiring')
    const count = (): number => (db.prepare('SELECT count(*) AS n FROM expiring').get() as { n: number }).n
    await store.set('gone', 'v', 30)
    await store.set('kept', 'v')
    await sleep(100)
    assert.equal(count(), 2, 'nothing is deleted before a read')
    assert.equal(await store.get('gone'), undefined)
    assert.equal(count(), 1)
  })

  it('keeps values across reopening the file, in its own table', async () => {
    const file = join(dir, 'persist.db')
    const first = new Database(file)
    await new Keyv({ store: createSqliteKeyvStore(first, 'custom_table') }).set('k', { v: 1 })
    await new Keyv({ store: createSqliteKeyvStore(first, 'other_table') }).set('k', 'other')
    await new Keyv({ store: createSqliteKeyvStore(first, 'other_table') }).clear()
    first.close()
    const second = new Database(file)
    assert.deepEqual(await new Keyv({ store: createSqliteKeyvStore(second, 'custom_table') }).get('k'), { v: 1 })
    second.close()
  })

  it('rejects table names that are not identifiers', () => {
    assert.throws(() => createSqliteKeyvStore(db, 'x; DROP TABLE keyv'), /invalid table name/)
  })
})

describe('createIoredisKeyvStore', { skip: skipRedis }, () => {
  const base = uniqueNamespace()
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true })
  after(async () => {
    await deleteRedisPrefix(TEST_REDIS_URL, base)
    redis.disconnect()
  })

  keyvBehaviour(() => createIoredisKeyvStore(redis, `${base}kv:`))

  it('stores under the prefix with a PX expiry', async () => {
    const store = createIoredisKeyvStore(redis, `${base}px:`)
    await store.set('k', 'v', 5000)
    const pttl = await redis.pttl(`${base}px:k`)
    assert.ok(pttl > 0 && pttl <= 5000, `PTTL ${pttl}`)
    await store.set('forever', 'v')
    assert.equal(await redis.pttl(`${base}px:forever`), -1)
  })

  it('clears only its own prefix, even when the prefix contains glob characters', async () => {
    const store = createIoredisKeyvStore(redis, `${base}g*[x]:`)
    await store.set('mine', 'v')
    await redis.set(`${base}gAB[x]:theirs`, 'v')
    await redis.set(`${base}gx:theirs`, 'v')
    await store.clear()
    assert.equal(await redis.exists(`${base}g*[x]:mine`), 0)
    assert.equal(await redis.exists(`${base}gAB[x]:theirs`, `${base}gx:theirs`), 2)
  })

  it('refuses an empty prefix', () => {
    assert.throws(() => createIoredisKeyvStore(redis, ''), /prefix/)
  })
})
