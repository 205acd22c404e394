import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { createStorage } from '../../../src/runtime/storage/index.js'
import { createPostgresStorage } from '../../../src/runtime/storage/postgres.js'
import { sql } from '../../../src/runtime/storage/sql.js'
import type { Storage } from '../../../src/runtime/storage/types.js'
import { storageContract } from '../../contract/storage-suite.js'
import { describeWithPostgres } from '../../helpers/pg.js'

// Each registration gets its own fresh database.
await describeWithPostgres('postgres storage (primary only)', (url) => {
  storageContract('postgres', async () => createPostgresStorage({ url }))
})

await describeWithPostgres('postgres storage (with a replica pool)', (url) => {
  storageContract('postgres + replica pool on the same database', () => createStorage({ url, readUrl: url }))

  let storage: Storage
  before(() => {
    storage = createPostgresStorage({ url })
  })
  after(() => storage.close())

  it('parses INT8 and NUMERIC as numbers without touching the global pg type parsers', async () => {
    const row = await storage.one(
      sql`select cast(${42} as bigint) as big, cast(${'1.25'} as numeric) as num,
          cast(${'{1,2}'} as bigint[]) as bigs, cast(${'{0.5}'} as numeric[]) as nums`,
    )
    assert.deepEqual(row, { big: 42, num: 1.25, bigs: [1, 2], nums: [0.5] })
    const pg = (await import('pg')).default
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const raw = await client.query('select 42::bigint as big')
      assert.equal(raw.rows[0].big, '42')
    } finally {
      await client.end()
    }
  })

  it('serialises concurrent migration runs on one database', async () => {
    const other = createPostgresStorage({ url })
    try {
      const set = {
        module: 'pg_concurrent',
        migrations: [1, 2, 3].map((n) => ({ id: `000${n}`, sql: `create table pg_concurrent_${n} (x integer)` })),
      }
      const [a, b] = await Promise.all([storage.migrate([set]), other.migrate([set])])
      assert.equal(a.applied.length + b.applied.length, 3)
      assert.equal(a.skipped + b.skipped, 3)
    } finally {
      await other.close()
    }
  })
})
