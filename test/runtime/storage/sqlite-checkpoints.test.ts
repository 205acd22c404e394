/**
 * SQLite's WAL checkpoints run on a thread of their own (sqlite-checkpoints.ts): the connection's automatic
 * checkpoint is off while the thread runs, the WAL is still started over (it does not grow with every write),
 * `runBatch` writes its rows in one transaction, and the connection checkpoints itself again when the thread
 * cannot run.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { sql } from '../../../src/runtime/storage/sql.js'
import { createSqliteStorage } from '../../../src/runtime/storage/sqlite.js'
import { Checkpoints } from '../../../src/runtime/storage/sqlite-checkpoints.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-checkpoints-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const INSERT = 'insert into t (id, body) values (@id, @body)'
const rows = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: from + i, body: `${from + i}:${'x'.repeat(200)}` }))

test('the checkpoint thread takes over, and the WAL is started over instead of growing', async () => {
  const file = join(dir, 'grow.db')
  const storage = createSqliteStorage({ url: `sqlite:${file}`, checkpointMs: 20 })
  try {
    await storage.execute(sql`create table t (id integer primary key, body text not null)`)
    assert.ok(storage.runBatch)
    const autoCheckpoint = async () =>
      Object.values((await storage.query(sql`pragma wal_autocheckpoint`))[0] as object)[0] as number
    assert.equal(await autoCheckpoint(), 1000, "SQLite's own checkpoint until the WAL is large")
    let id = 0
    let largest = 0
    // Writes without a pause for 1.5 s (as under load): a checkpoint beside them never finds the WAL fully
    // copied, so only a round that holds the connection lets the next write start the WAL over.
    const until = Date.now() + 1500
    while (Date.now() < until) {
      await storage.runBatch(INSERT, rows(id, 100))
      id += 100
      largest = Math.max(largest, statSync(`${file}-wal`).size)
      await new Promise((r) => setImmediate(r))
    }
    assert.equal(await autoCheckpoint(), 0, 'the thread checkpoints; the connection does not')
    assert.ok(
      // Never started over, the WAL holds every page written: ≈ 1.7 × the rows' text (119 MB for 69 MB).
      largest < id * 200,
      `${id} rows (${((id * 200) / 1048576).toFixed(0)} MB) and the WAL file reached ${(largest / 1048576).toFixed(1)} MB`,
    )
    const [count] = await storage.query<{ n: number }>(sql`select count(*) as n from t`)
    assert.equal(count?.n, id)
  } finally {
    await storage.close()
  }
})

test('runBatch writes its rows in one transaction: a refused row leaves none of its batch', async () => {
  const storage = createSqliteStorage({ url: `sqlite:${join(dir, 'batch.db')}` })
  try {
    await storage.execute(sql`create table t (id integer primary key, body text not null)`)
    await storage.runBatch?.(INSERT, rows(0, 3))
    await assert.rejects(storage.runBatch!(INSERT, [...rows(10, 3), { id: 20, body: null }]), /NOT NULL/)
    const ids = await storage.query<{ id: number }>(sql`select id from t order by id`)
    assert.deepEqual(
      ids.map((r) => r.id),
      [0, 1, 2],
    )
    // It waits for a transaction in flight instead of joining it.
    let inside = 0
    const tx = storage.transaction(async (t) => {
      await t.execute(sql`insert into t (id, body) values (100, 'a')`)
      await sleep(30)
      inside = (await t.query(sql`select id from t where id >= 200`)).length
      throw new Error('rolled back')
    })
    const batch = storage.runBatch!(INSERT, rows(200, 2))
    await assert.rejects(tx, /rolled back/)
    await batch
    assert.equal(inside, 0, 'the batch did not run inside the open transaction')
    assert.equal((await storage.query(sql`select id from t where id >= 100`)).length, 2)
  } finally {
    await storage.close()
  }
})

test('when the thread cannot run, the connection checkpoints itself again', async () => {
  // A WAL file as large as the thread's threshold, but no database for the thread to open.
  const filename = join(dir, 'missing.db')
  writeFileSync(`${filename}-wal`, Buffer.alloc(5 * 1024 * 1024))
  const calls: boolean[] = []
  let writes = 0
  const checkpoints = new Checkpoints(
    {
      filename,
      writes: () => ++writes,
      hold: async () => () => {},
      autoCheckpoint: (on) => calls.push(on),
    },
    10,
  )
  try {
    for (let i = 0; i < 100 && calls.length < 2; i++) await sleep(20)
    assert.deepEqual(calls, [false, true], 'off when the thread started, on again when it failed')
    assert.equal(checkpoints.active, false)
  } finally {
    await checkpoints.close()
  }
})
