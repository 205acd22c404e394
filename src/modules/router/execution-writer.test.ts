/**
 * The storage writer of the execution log (Postgres, in-memory SQLite): a batch is written whole, text comes
 * back exactly as given (quotes, backslashes, braces, commas, the word NULL, emoji), NULL stays NULL, numbers
 * keep their type, and a row already there is skipped. On Postgres the batch is one INSERT … SELECT FROM
 * unnest() of column arrays, whose text literals must escape all of that.
 */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { serversUnavailable } from '../../../test/helpers/backends.js'
import { executionRecord } from '../../../test/helpers/execution-record.js'
import { freshPostgresUrl } from '../../../test/helpers/pg.js'
import { coreMigrations } from '../../runtime/storage/core-migrations.js'
import { createStorage } from '../../runtime/storage/index.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { storageWriter } from './execution-writer.js'

const pgSkip = await serversUnavailable()
const WEIRD = `a'b"c\\d{e},f NULL 👋 é\n\t()`

async function roundTrip(storage: Storage): Promise<void> {
  await storage.migrate([coreMigrations])
  const writer = storageWriter(storage)
  const rows = [
    executionRecord(0, { user_name: WEIRD, message_content: WEIRD, response: null }),
    executionRecord(1, { message_content: 'NULL', response: '[{"type":"chat","text":"p\\"ong"}]', args: '["a b"]' }),
    executionRecord(2, { command_id: '12', execution_time_ms: 0.125, created_at: 1_733_333_333_333, completed_at: 1 }),
  ]
  await writer.write(rows)
  await writer.write([rows[2]!, executionRecord(3, { status: 'timeout', error_message: WEIRD })])
  const back = await storage.query<Record<string, unknown>>(sql`select * from command_executions order by execution_id`)
  assert.deepEqual(
    back.map((r) => r.execution_id),
    ['x0', 'x1', 'x2', 'x3'],
    'every row once',
  )
  assert.equal(back[0]!.user_name, WEIRD)
  assert.equal(back[0]!.message_content, WEIRD)
  assert.equal(back[0]!.response, null)
  assert.equal(back[1]!.message_content, 'NULL')
  assert.equal(back[1]!.response, '[{"type":"chat","text":"p\\"ong"}]')
  assert.equal(back[1]!.args, '["a b"]')
  assert.equal(Number(back[2]!.command_id), 12)
  assert.equal(back[2]!.execution_time_ms, 0.125)
  assert.equal(Number(back[2]!.created_at), 1_733_333_333_333)
  assert.equal(back[3]!.status, 'timeout')
  assert.equal(back[3]!.error_message, WEIRD)
  assert.equal(Number(back[3]!.retry_count), 0)
}

describe('execution log storage writer', () => {
  test('in-memory SQLite', async () => {
    const storage = await createStorage({ url: 'sqlite::memory:', cwd: process.cwd() })
    after(() => storage.close())
    await roundTrip(storage)
  })

  test('Postgres (unnest of column arrays)', { skip: pgSkip }, async () => {
    const pg = await freshPostgresUrl()
    const storage = await createStorage({ url: pg.url, cwd: process.cwd() })
    try {
      await roundTrip(storage)
    } finally {
      await storage.close()
      await pg.drop()
    }
  })
})
