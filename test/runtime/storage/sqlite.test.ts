import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { createStorage, dialectOf } from '../../../src/runtime/storage/index.js'
import { sql } from '../../../src/runtime/storage/sql.js'
import { createSqliteStorage, LOCK_WAIT_MS, sqliteFilename } from '../../../src/runtime/storage/sqlite.js'
import { storageContract } from '../../contract/storage-suite.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-sqlite-'))
after(() => rmSync(dir, { recursive: true, force: true }))

storageContract('sqlite :memory:', async () => createSqliteStorage({ url: 'sqlite::memory:' }))
storageContract('sqlite file (WAL)', () => createStorage({ url: 'sqlite:nested/data/wb.db', cwd: dir }))

describe('sqlite driver', () => {
  it('creates the parent folder and opens the file in WAL with the configured pragmas', async () => {
    const storage = await createStorage({ url: 'sqlite:pragmas/sub/p.db', cwd: dir })
    try {
      assert.ok(existsSync(join(dir, 'pragmas/sub/p.db')))
      const pragma = async (name: string) => Object.values((await storage.one(sql.raw(`pragma ${name}`))) ?? {})[0]
      assert.equal(await pragma('journal_mode'), 'wal')
      assert.equal(await pragma('busy_timeout'), 5000)
      assert.equal(await pragma('foreign_keys'), 1)
      assert.equal(await pragma('synchronous'), 1)
    } finally {
      await storage.close()
    }
  })

  it('rejects storage calls made inside its own open transaction after LOCK_WAIT_MS instead of deadlocking', async () => {
    const storage = createSqliteStorage({ url: 'sqlite::memory:' })
    try {
      await storage.transaction(async () => {
        const started = Date.now()
        await Promise.all([
          assert.rejects(storage.query(sql`select 1 as one`), /storage\.query\(\) waited 5 s .*use the tx handle/),
          assert.rejects(
            storage.transaction(async () => 1),
            /storage\.transaction\(\) waited 5 s/,
          ),
        ])
        assert.ok(Date.now() - started >= LOCK_WAIT_MS - 50)
      })
      assert.deepEqual(await storage.query(sql`select 1 as one`), [{ one: 1 }])
    } finally {
      await storage.close()
    }
  })

  it('rejects a read replica URL', () => {
    assert.throws(() => createSqliteStorage({ url: 'sqlite::memory:', readUrl: 'sqlite::memory:' }), /Postgres/)
  })

  it('resolves database URLs to files', () => {
    const cases: [string, string][] = [
      ['sqlite::memory:', ':memory:'],
      [':memory:', ':memory:'],
      ['sqlite:./data/wb.db', '/base/data/wb.db'],
      ['sqlite:data/wb.db', '/base/data/wb.db'],
      ['sqlite:///abs/wb.db', '/abs/wb.db'],
      ['file:./wb.db', '/base/wb.db'],
      ['file:///abs/my%20db.db', '/abs/my db.db'],
      ['file://localhost/abs/wb.db', '/abs/wb.db'],
      ['./rel/wb.db', '/base/rel/wb.db'],
      ['/abs/wb.db', '/abs/wb.db'],
    ]
    for (const [url, file] of cases) assert.equal(sqliteFilename(url, '/base'), file, url)
  })
})

describe('createStorage', () => {
  it('picks the dialect from the URL scheme', () => {
    const cases: [string, string][] = [
      ['sqlite:./x.db', 'sqlite'],
      ['sqlite::memory:', 'sqlite'],
      ['file:./x.db', 'sqlite'],
      ['./x.db', 'sqlite'],
      ['C:\\data\\x.db', 'sqlite'],
      ['postgres://u:p@db:5432/wb', 'postgres'],
      ['postgresql://db/wb', 'postgres'],
    ]
    for (const [url, dialect] of cases) assert.equal(dialectOf(url), dialect, url)
  })

  it('rejects other schemes naming DATABASE_URL and the accepted forms, without echoing credentials', async () => {
    for (const url of ['mysql://root:secret@db/wb', '', 'postgres:db']) {
      await assert.rejects(createStorage({ url }), (error: Error) => {
        assert.match(error.message, /DATABASE_URL/)
        assert.match(error.message, /sqlite:/)
        assert.match(error.message, /postgres:\/\//)
        assert.doesNotMatch(error.message, /secret/)
        return true
      })
    }
  })

  it('opens a working SQLite storage', async () => {
    const storage = await createStorage({ url: 'sqlite::memory:' })
    assert.equal(storage.dialect, 'sqlite')
    await storage.ping()
    await storage.close()
  })
})
