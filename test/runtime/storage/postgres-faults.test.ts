/**
 * A Postgres connection that dies under a transaction (here: terminated by the server, as in a restart)
 * rejects that transaction with WB_STORAGE_UNREACHABLE instead of emitting an unhandled 'error' that ends
 * the process, and the pool serves the next query on a new connection.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { isWaddleError } from '../../../src/runtime/errors.js'
import { createPostgresStorage } from '../../../src/runtime/storage/postgres.js'
import { sql } from '../../../src/runtime/storage/sql.js'
import type { Storage } from '../../../src/runtime/storage/types.js'
import { describeWithPostgres } from '../../helpers/pg.js'

await describeWithPostgres('postgres storage: a connection terminated mid-transaction', (url) => {
  let storage: Storage
  let killer: Storage
  before(() => {
    storage = createPostgresStorage({ url })
    killer = createPostgresStorage({ url })
  })
  after(async () => {
    await storage.close()
    await killer.close()
  })

  it('rejects with WB_STORAGE_UNREACHABLE, keeps the process alive, and the next query reconnects', async () => {
    const uncaught: unknown[] = []
    const onUncaught = (e: unknown) => uncaught.push(e)
    process.on('uncaughtException', onUncaught)
    try {
      const failed = await storage
        .transaction(async (tx) => {
          const row = await tx.one<{ pid: number }>(sql`select pg_backend_pid() as pid`)
          await killer.execute(sql`select pg_terminate_backend(${row!.pid})`)
          await tx.execute(sql`select 1`)
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      assert.ok(isWaddleError(failed), `expected a WaddleError, got ${String(failed)}`)
      assert.equal(failed.code, 'WB_STORAGE_UNREACHABLE')
      assert.equal(failed.status, 503)
      await new Promise((r) => setTimeout(r, 50)) // the socket's 'error' event, if any, comes after
      assert.deepEqual(uncaught, [])
      assert.deepEqual(await storage.one(sql`select 2 as n`), { n: 2 })
    } finally {
      process.off('uncaughtException', onUncaught)
    }
  })
})
