/**
 * API keys: created, looked up, revoked, on both databases. On SQLite valid keys are remembered while the
 * database's data_version stays the same (read at most once a millisecond), so a revocation from another
 * connection (another process's `waddlebot keys revoke`) refuses the key from the first check a millisecond
 * later, and one from this connection on its very next use.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { createApiKey, lookupApiKey, revokeApiKey, SQLITE_RECHECK_MS } from '../../src/runtime/api-keys.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../src/runtime/storage/index.js'
import { sql } from '../../src/runtime/storage/sql.js'
import type { Storage } from '../../src/runtime/storage/types.js'
import { serversUnavailable } from '../helpers/backends.js'
import { freshPostgresUrl } from '../helpers/pg.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-keys-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const pgSkip = await serversUnavailable()

async function open(url: string): Promise<Storage> {
  const storage = await createStorage({ url, cwd: dir })
  await storage.migrate([coreMigrations])
  return storage
}

const CHANNEL = 'waddlebot_api_keys'

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * A key revoked by another connection is refused: on SQLite from the first check once its data_version was
 * last read a millisecond ago, on Postgres as soon as the trigger's notification arrives (`notified`; bounded
 * here at 2 s, well under a millisecond in practice).
 */
async function refusedAfterRevocation(a: Storage, key: string, notified: boolean): Promise<void> {
  if (!notified) {
    await new Promise((r) => setTimeout(r, SQLITE_RECHECK_MS + 1))
    assert.equal(await lookupApiKey(a, key), undefined, 'revoked by another connection: refused a millisecond later')
    return
  }
  await until('revoked by another connection: refused', async () => (await lookupApiKey(a, key)) === undefined, 2000)
}

async function revocationCases(
  url: () => Promise<{ url: string; drop?: () => Promise<void> }>,
  notified = false,
): Promise<void> {
  const target = await url()
  const a = await open(target.url)
  const b = await open(target.url) // another connection, as another process would hold
  try {
    const created = await createApiKey(a, 'bot', 'collector')
    assert.deepEqual(await lookupApiKey(a, created.key), { id: created.id, scope: 'collector' })
    assert.deepEqual(await lookupApiKey(a, created.key), { id: created.id, scope: 'collector' }, 'remembered')
    assert.equal(await lookupApiKey(a, `${created.key}x`), undefined)
    assert.equal(await lookupApiKey(a, 'not-a-key'), undefined)
    await revokeApiKey(b, created.id)
    await refusedAfterRevocation(a, created.key, notified)

    const second = await createApiKey(b, 'bot2', 'admin')
    assert.equal((await lookupApiKey(a, second.key))?.scope, 'admin')
    await revokeApiKey(a, second.id)
    assert.equal(await lookupApiKey(a, second.key), undefined, 'revoked through this connection: refused at once')
    await assert.rejects(
      revokeApiKey(a, second.id),
      (e: Error & { code?: string }) => e.code === 'WB_KEY_REVOKED' && /already revoked at \d{4}-/.test(e.message),
    )
    await assert.rejects(revokeApiKey(a, 'no-such-id'), (e: Error & { code?: string }) => e.code === 'WB_KEY_UNKNOWN')
  } finally {
    await a.close()
    await b.close()
    await target.drop?.()
  }
}

describe('api keys', () => {
  test('SQLite: a revoked key is refused on its next use, whoever revoked it', () =>
    revocationCases(async () => ({ url: `sqlite:${join(dir, 'keys.db')}` })))
  test('Postgres: a revoked key is refused on its next use, whoever revoked it', { skip: pgSkip }, () =>
    revocationCases(freshPostgresUrl, true),
  )

  test('SQLite: data_version is read at most once a millisecond, and a change by another connection is seen at the next read', async () => {
    const a = await open(`sqlite:${join(dir, 'memo.db')}`)
    const b = await open(`sqlite:${join(dir, 'memo.db')}`)
    try {
      let versionReads = 0
      let keyReads = 0
      const counted: Storage = {
        ...a,
        dataVersion: () => {
          versionReads++
          return a.dataVersion!()
        },
        one: (statement) => {
          keyReads++
          return a.one(statement)
        },
      }
      const key = await createApiKey(b, 'bot', 'collector')
      const t = 1_000_000
      for (let i = 0; i < 200; i++) assert.equal((await lookupApiKey(counted, key.key, t + i / 400))?.id, key.id)
      assert.equal(versionReads, 1, 'one data_version read for 200 checks within a millisecond')
      assert.equal(keyReads, 1, 'one key read')
      await lookupApiKey(counted, key.key, t + 1)
      assert.equal(versionReads, 2, 'read again a millisecond later')
      assert.equal(keyReads, 1, 'nothing changed: the key is still remembered')
      await revokeApiKey(b, key.id)
      assert.equal((await lookupApiKey(counted, key.key, t + 1.5))?.id, key.id, 'within the millisecond: not read yet')
      assert.equal(await lookupApiKey(counted, key.key, t + 2), undefined, 'the next read sees the revocation')
      assert.equal(versionReads, 3)
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('Postgres: valid keys are remembered between changes to api_keys, and not while nothing listens', {
    skip: pgSkip,
  }, async () => {
    const target = await freshPostgresUrl()
    const a = await open(target.url)
    const b = await open(target.url)
    try {
      let reads = 0
      const counted: Storage = {
        ...a,
        one: (statement) => {
          reads++
          return a.one(statement)
        },
      }
      const key = await createApiKey(b, 'bot', 'collector')
      await lookupApiKey(counted, key.key)
      await until('listening on api_keys changes', () => a.changeVersion?.(CHANNEL) !== undefined)
      reads = 0
      for (let i = 0; i < 200; i++) assert.equal((await lookupApiKey(counted, key.key))?.id, key.id)
      assert.ok(reads <= 1, `${reads} database reads for 200 checks of one key`)

      // A change anywhere (here a new key from the other connection) is seen: the next check reads again.
      await createApiKey(b, 'other', 'admin')
      await until('the change noticed', async () => {
        const before = reads
        await lookupApiKey(counted, key.key)
        return reads > before
      })

      // The listening connection is killed: every check reads the database until it is back, and a key revoked
      // in the gap is refused at once.
      const version = a.changeVersion?.(CHANNEL)
      await b.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query ilike 'listen%'`)
      await until('the lost listener noticed', () => a.changeVersion?.(CHANNEL) !== version)
      await revokeApiKey(b, key.id)
      assert.equal(await lookupApiKey(counted, key.key), undefined, 'revoked while the listener was down: refused')
      await until('listening again', () => a.changeVersion?.(CHANNEL) !== undefined)
      const fresh = await createApiKey(b, 'fresh', 'collector')
      await lookupApiKey(counted, fresh.key)
      reads = 0
      for (let i = 0; i < 50; i++) assert.equal((await lookupApiKey(counted, fresh.key))?.id, fresh.id)
      assert.ok(reads <= 1, `${reads} database reads for 50 checks after the listener came back`)
    } finally {
      await a.close()
      await b.close()
      await target.drop()
    }
  })
})
