/**
 * The storage contract every driver must pass. Register it from a driver's test file:
 * `storageContract('sqlite :memory:', async () => createSqliteStorage({ url: 'sqlite::memory:' }))`.
 * The factory must return a storage over an empty database; the suite may call it more than once.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { compile, sql } from '../../src/runtime/storage/sql.js'
import type { ExecuteResult, Storage } from '../../src/runtime/storage/types.js'
import { migrationContract } from './storage-suite-migrations.js'

interface Item {
  id: string
  label: string
  qty: number
  flag: number
  payload: string | null
  seen_at: number | null
}

/** Registers the whole storage contract as one `describe` named after `name`. */
export function storageContract(name: string, factory: () => Promise<Storage>): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage
    const ids = (rows: { id: string }[]) => rows.map((row) => row.id)
    const insert = (id: string, label = id) =>
      storage.execute(sql`insert into contract_items (id, label) values (${id}, ${label})`)

    before(async () => {
      storage = await factory()
      await storage.execute(sql`create table contract_items (
        id text primary key, label text not null, qty integer not null default 0,
        flag integer not null default 0, payload text, seen_at bigint)`)
    })
    after(() => storage.close())

    it('compiles placeholders for its dialect and runs fragments, join and raw', async () => {
      const compiled = compile(sql`select ${1} as a, ${sql`${'x'} as b`}`, storage.dialect)
      const expected = storage.dialect === 'postgres' ? 'select $1 as a, $2 as b' : 'select ? as a, ? as b'
      assert.deepEqual(compiled, { text: expected, values: [1, 'x'] })
      await insert('frag-a', 'A')
      await insert('frag-b', 'B')
      await insert('frag-c', 'C')
      const table = sql.raw('contract_items')
      const filter = sql`label <> ${'C'}`
      const rows = await storage.query<{ id: string }>(
        sql`select id from ${table} where ${filter} and id in (${sql.join(['frag-a', 'frag-b', 'frag-c'])})${sql.empty} order by id`,
      )
      assert.deepEqual(ids(rows), ['frag-a', 'frag-b'])
    })

    it('query, one and execute', async () => {
      assert.deepEqual(await insert('q-1', 'one'), { changes: 1 })
      await insert('q-2', 'two')
      const rows = await storage.query<Item>(sql`select * from contract_items where id like ${'q-%'} order by id`)
      assert.deepEqual(ids(rows), ['q-1', 'q-2'])
      const first = await storage.one<Item>(sql`select * from contract_items where id = ${'q-2'}`)
      assert.equal(first?.label, 'two')
      assert.equal(await storage.one(sql`select * from contract_items where id = ${'missing'}`), undefined)
      const updated = await storage.execute(sql`update contract_items set qty = 5 where id like ${'q-%'}`)
      assert.equal(updated.changes, 2)
      assert.equal((await storage.execute(sql`delete from contract_items where id = ${'none'}`)).changes, 0)
    })

    it('RETURNING yields rows from query and changes from execute', async () => {
      const rows = await storage.query<Item>(
        sql`insert into contract_items (id, label, qty) values (${'r-1'}, ${'ret'}, ${3}) returning id, label, qty`,
      )
      assert.deepEqual(rows, [{ id: 'r-1', label: 'ret', qty: 3 }])
      const result = await storage.execute(
        sql`insert into contract_items (id, label) values (${'r-2'}, ${'ret'}) returning id`,
      )
      assert.equal(result.changes, 1)
      const updated = await storage.one<{ qty: number }>(
        sql`update contract_items set qty = qty + 1 where id = ${'r-1'} returning qty`,
      )
      assert.deepEqual(updated, { qty: 4 })
    })

    it('upserts with ON CONFLICT', async () => {
      const upsert = (qty: number) =>
        storage.execute(sql`insert into contract_items (id, label, qty) values (${'u-1'}, ${'up'}, ${qty})
          on conflict (id) do update set qty = contract_items.qty + excluded.qty`)
      await upsert(2)
      await upsert(3)
      const row = await storage.one<Item>(sql`select qty from contract_items where id = ${'u-1'}`)
      assert.equal(row?.qty, 5)
      const ignored = await storage.execute(
        sql`insert into contract_items (id, label) values (${'u-1'}, ${'x'}) on conflict do nothing`,
      )
      assert.equal(ignored.changes, 0)
    })

    it('round-trips JSON as text, booleans as 0/1, undefined as null', async () => {
      const payload = { name: 'Wadl', tags: ['a', 'ü'], nested: { n: 1.5, ok: true, none: null } }
      await storage.execute(sql`insert into contract_items (id, label, payload, flag, seen_at)
        values (${'j-1'}, ${'json'}, ${JSON.stringify(payload)}, ${true}, ${undefined})`)
      await storage.execute(sql`insert into contract_items (id, label, flag) values (${'j-2'}, ${'json'}, ${false})`)
      const row = await storage.one<Item>(sql`select * from contract_items where id = ${'j-1'}`)
      assert.deepEqual(JSON.parse(row?.payload ?? 'null'), payload)
      assert.equal(row?.flag, 1)
      assert.equal(row?.seen_at, null)
      const flagged = await storage.query<Item>(
        sql`select id from contract_items where label = ${'json'} and flag = ${true}`,
      )
      assert.deepEqual(ids(flagged), ['j-1'])
    })

    it('round-trips bigint epoch ms (and aggregates) as numbers', async () => {
      const now = 1_700_000_000_123
      await storage.execute(sql`insert into contract_items (id, label, seen_at) values
        (${'t-1'}, ${'time'}, ${now}), (${'t-2'}, ${'time'}, ${Number.MAX_SAFE_INTEGER - now})`)
      const row = await storage.one<Item>(sql`select seen_at from contract_items where id = ${'t-1'}`)
      assert.equal(row?.seen_at, now)
      const totals = await storage.one<{ n: number; total: number }>(
        sql`select count(*) as n, sum(seen_at) as total from contract_items where label = ${'time'}`,
      )
      assert.deepEqual(totals, { n: 2, total: Number.MAX_SAFE_INTEGER })
    })

    it('commits a transaction and returns its result', async () => {
      const result = await storage.transaction(async (tx) => {
        await tx.execute(sql`insert into contract_items (id, label) values (${'c-1'}, ${'tx'})`)
        await tx.execute(sql`insert into contract_items (id, label) values (${'c-2'}, ${'tx'})`)
        return (await tx.query<Item>(sql`select id from contract_items where label = ${'tx'}`)).length
      })
      assert.equal(result, 2)
      const rows = await storage.query<Item>(sql`select id from contract_items where label = ${'tx'} order by id`)
      assert.deepEqual(ids(rows), ['c-1', 'c-2'])
    })

    it('rolls back a transaction whose work throws, rethrowing the error', async () => {
      const failure = new Error('boom')
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.execute(sql`insert into contract_items (id, label) values (${'rb-1'}, ${'rb'})`)
          throw failure
        }),
        (error) => error === failure,
      )
      assert.equal(await storage.one(sql`select id from contract_items where id = ${'rb-1'}`), undefined)
      const inside = storage.transaction(async (tx) => tx)
      await assert.rejects(async () => (await inside).query(sql`select 1 as one`), /finished/)
    })

    it('nests transactions as savepoints', async () => {
      await storage.transaction(async (tx) => {
        await tx.execute(sql`insert into contract_items (id, label) values (${'sp-outer'}, ${'sp'})`)
        await assert.rejects(
          tx.transaction(async (inner) => {
            await inner.execute(sql`insert into contract_items (id, label) values (${'sp-inner'}, ${'sp'})`)
            throw new Error('inner fails')
          }),
          /inner fails/,
        )
        await tx.transaction(async (inner) => {
          await inner.execute(sql`insert into contract_items (id, label) values (${'sp-kept'}, ${'sp'})`)
        })
      })
      const rows = await storage.query<Item>(sql`select id from contract_items where label = ${'sp'} order by id`)
      assert.deepEqual(ids(rows), ['sp-kept', 'sp-outer'])
    })

    it('keeps other callers out of an open transaction without losing their statements', async () => {
      // The outside callers start from this test's context (not the transaction's) once it is open.
      let opened!: () => void
      const gate = new Promise<void>((resolve) => {
        opened = resolve
      })
      const outsideRead = gate.then(() =>
        storage.query<{ id: string }>(sql`select id from contract_items where label = ${'ser'}`),
      )
      const outsideWrite: Promise<ExecuteResult> = gate.then(() => insert('ser-outside', 'ser'))
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.execute(sql`insert into contract_items (id, label) values (${'ser-inside'}, ${'ser'})`)
          opened()
          await new Promise((resolve) => setTimeout(resolve, 50))
          await tx.query(sql`select 1 as one`)
          throw new Error('roll back')
        }),
        /roll back/,
      )
      assert.ok(!ids(await outsideRead).includes('ser-inside'))
      assert.deepEqual(await outsideWrite, { changes: 1 })
      const rows = await storage.query<Item>(sql`select id from contract_items where label = ${'ser'}`)
      assert.deepEqual(ids(rows), ['ser-outside'])
    })

    migrationContract(() => storage)

    it('serves reads from the replica', async () => {
      await insert('rep-1', 'replica')
      assert.equal(storage.replica.dialect, storage.dialect)
      const row = await storage.replica.one<Item>(sql`select label from contract_items where id = ${'rep-1'}`)
      assert.equal(row?.label, 'replica')
    })

    it('pings, and closes (idempotently) so later statements reject', async () => {
      await storage.ping()
      const extra = await factory()
      await extra.ping()
      await extra.close()
      await extra.close()
      await assert.rejects(extra.query(sql`select 1 as one`))
    })
  })
}
