/**
 * The execution log against real databases when a write goes wrong (issue 12: nothing acknowledged is lost,
 * and one fault never stalls the log):
 * - a batch whose commit reached the database but whose answer was lost (Postgres stopped at that moment)
 *   is written again without failing on its own rows, and the rows after it are written;
 * - a row the database refuses for its data is dropped and logged, its batch-mates and every later row
 *   are written (before, the refused batch was retried for ever and every later event answered 503).
 * On SQLite (the batch path on a file, and the generic storage writer) and on Postgres.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { ExecutionLog, type ExecutionRecord } from '../../src/modules/router/execution-log.js'
import { batchWriter, type ExecutionWriter, storageWriter } from '../../src/modules/router/execution-writer.js'
import { createLogger } from '../../src/runtime/logger.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage, sql } from '../../src/runtime/storage/index.js'
import type { Storage } from '../../src/runtime/storage/types.js'
import { serversUnavailable } from '../helpers/backends.js'
import { executionRecord } from '../helpers/execution-record.js'
import { freshPostgresUrl } from '../helpers/pg.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-exec-faults-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const pgSkip = await serversUnavailable()

let seq = 0
const record = (over: Partial<ExecutionRecord> = {}): ExecutionRecord => executionRecord(++seq, over)

/** A connection error as pg reports it when the server goes away. */
const connectionLost = () => new Error('Connection terminated unexpectedly')

interface Target {
  readonly name: string
  readonly skip?: string
  open(): Promise<{ storage: Storage; writer: ExecutionWriter; close(): Promise<void> }>
}

const targets: Target[] = [
  {
    name: 'SQLite file (batch path)',
    async open() {
      const storage = await createStorage({ url: `sqlite:${join(dir, `w${seq++}.db`)}`, cwd: dir })
      await storage.migrate([coreMigrations])
      assert.ok(storage.runBatch, 'SQLite has the batch path')
      const writer = batchWriter(storage.runBatch)
      return {
        storage,
        writer,
        close: async () => {
          await writer.close()
          await storage.close()
        },
      }
    },
  },
  {
    name: 'SQLite (storage writer)',
    async open() {
      const storage = await createStorage({ url: `sqlite:${join(dir, `s${seq++}.db`)}`, cwd: dir })
      await storage.migrate([coreMigrations])
      return { storage, writer: storageWriter(storage), close: () => storage.close() }
    },
  },
  {
    name: 'Postgres',
    ...(pgSkip ? { skip: pgSkip } : {}),
    async open() {
      const db = await freshPostgresUrl()
      const storage = await createStorage({ url: db.url, cwd: dir })
      await storage.migrate([coreMigrations])
      return {
        storage,
        writer: storageWriter(storage),
        close: async () => {
          await storage.close()
          await db.drop()
        },
      }
    },
  },
]

const ids = async (storage: Storage) =>
  (await storage.query<{ execution_id: string }>(sql`select execution_id from command_executions`))
    .map((r) => r.execution_id)
    .sort()

for (const target of targets) {
  describe(`execution log faults on ${target.name}`, { skip: target.skip }, () => {
    test('a committed batch whose answer was lost is written again, and the log goes on', async () => {
      const { storage, writer, close } = await target.open()
      let loseNext = true
      // Commits for real, then reports the connection as lost: the commit is in, the caller does not know.
      const flaky: ExecutionWriter = {
        async write(rows) {
          await writer.write(rows)
          if (loseNext) {
            loseNext = false
            throw connectionLost()
          }
        },
        close: () => writer.close(),
      }
      const log = new ExecutionLog(flaky, createLogger({ level: 'silent' }), { retryMs: 10 })
      try {
        const first = [record(), record()]
        const results = await Promise.allSettled(first.map((r) => log.add(r)))
        assert.ok(
          results.every((r) => r.status === 'rejected'),
          'the batch is reported as not written',
        )
        const later = [record(), record(), record()]
        await Promise.all(later.map((r) => log.add(r)))
        assert.equal(log.pending, 0)
        assert.deepEqual(await ids(storage), [...first, ...later].map((r) => r.execution_id).sort())
      } finally {
        await log.close()
        await close()
      }
    })

    test('a row the database refuses is dropped and logged; its batch-mates and later rows are written', async () => {
      const { storage, writer, close } = await target.open()
      const lines: string[] = []
      const logger = createLogger({
        level: 'error',
        destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream,
      })
      const log = new ExecutionLog(writer, logger, { retryMs: 10 })
      try {
        // command is NOT NULL: refused on both databases (Postgres 23502, SQLite SQLITE_CONSTRAINT_NOTNULL).
        const bad = record({ command: null as unknown as string })
        const mates = [record(), record()]
        const results = await Promise.allSettled([bad, ...mates].map((r) => log.add(r)))
        assert.ok(
          results.every((r) => r.status === 'rejected'),
          'the refused batch is not acknowledged',
        )
        const later = [record(), record()]
        await Promise.all(later.map((r) => log.add(r)))
        await log.flush()
        assert.equal(log.pending, 0, 'nothing left waiting for a retry')
        assert.deepEqual(await ids(storage), [...mates, ...later].map((r) => r.execution_id).sort())
        const refused = lines.filter((l) => l.includes('refused a row'))
        assert.equal(refused.length, 1, lines.join(''))
        assert.match(refused[0] as string, new RegExp(bad.execution_id))
      } finally {
        await log.close()
        await close()
      }
    })
  })
}

test('Postgres refuses text with a NUL character: that row alone is dropped', { skip: pgSkip }, async () => {
  const db = await freshPostgresUrl()
  const storage = await createStorage({ url: db.url, cwd: dir })
  await storage.migrate([coreMigrations])
  const log = new ExecutionLog(storageWriter(storage), createLogger({ level: 'silent' }), { retryMs: 10 })
  try {
    const bad = record({ message_content: '!ping \u0000' })
    const good = record()
    await Promise.allSettled([log.add(bad), log.add(good)])
    const next = record()
    await log.add(next)
    assert.deepEqual(await ids(storage), [good.execution_id, next.execution_id].sort())
  } finally {
    await log.close()
    await storage.close()
    await db.drop()
  }
})
