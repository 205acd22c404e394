/**
 * The migration part of the storage contract, registered by `storageContract` inside its suite.
 */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { sql } from '../../src/runtime/storage/sql.js'
import type { MigrationSet, Storage } from '../../src/runtime/storage/types.js'

/** Registers the migration tests against the suite's (already open) storage. */
export function migrationContract(getStorage: () => Storage): void {
  it('applies migrations once: a second run applies nothing', async () => {
    const storage = getStorage()
    const set: MigrationSet = {
      module: 'contract_idem',
      migrations: [
        { id: '0001', sql: 'create table contract_idem_a (x integer); create table contract_idem_b (y integer);' },
        {
          id: '0002',
          sql: {
            sqlite: 'insert into contract_idem_a (x) values (1)',
            postgres: 'insert into contract_idem_a (x) values (2)',
          },
        },
      ],
    }
    const first = await storage.migrate([set])
    assert.deepEqual(first, {
      applied: [
        { module: 'contract_idem', id: '0001' },
        { module: 'contract_idem', id: '0002' },
      ],
      skipped: 0,
    })
    assert.deepEqual(await storage.migrate([set]), { applied: [], skipped: 2 })
    const rows = await storage.query<{ x: number }>(sql`select x from contract_idem_a`)
    assert.deepEqual(rows, [{ x: storage.dialect === 'sqlite' ? 1 : 2 }])
  })

  it('rolls back a failing migration and leaves it pending', async () => {
    const storage = getStorage()
    const set: MigrationSet = {
      module: 'contract_fail',
      migrations: [
        { id: '0001', sql: 'create table contract_fail_a (x integer); insert into no_such_table values (1);' },
      ],
    }
    await assert.rejects(storage.migrate([set]), /contract_fail\/0001 failed/)
    const [state] = await storage.migrationStatus([set])
    assert.equal(state?.status, 'pending')
    await assert.rejects(storage.query(sql`select x from contract_fail_a`))
  })

  it('detects a changed checksum and refuses to migrate', async () => {
    const storage = getStorage()
    const v1: MigrationSet = {
      module: 'contract_changed',
      migrations: [{ id: '0001', sql: 'create table contract_changed_a (x integer)' }],
    }
    const v2: MigrationSet = {
      module: 'contract_changed',
      migrations: [
        { id: '0001', sql: 'create table contract_changed_a (x integer, y integer)' },
        { id: '0002', sql: 'create table contract_changed_b (x integer)' },
      ],
    }
    await storage.migrate([v1])
    const states = await storage.migrationStatus([v2])
    assert.deepEqual(
      states.filter((state) => state.module === 'contract_changed').map((state) => [state.id, state.status]),
      [
        ['0001', 'changed'],
        ['0002', 'pending'],
      ],
    )
    await assert.rejects(storage.migrate([v2]), /contract_changed\/0001 has changed/)
    assert.equal((await storage.migrationStatus([v2]))[1]?.status, 'pending')
  })

  it('reports applied and pending migrations, plus applied ones no longer known', async () => {
    const storage = getStorage()
    const first = { id: '0001', sql: 'create table contract_status_a (x integer)' }
    const before = Date.now()
    await storage.migrate([{ module: 'contract_status', migrations: [first] }])
    const set: MigrationSet = {
      module: 'contract_status',
      migrations: [first, { id: '0002', sql: 'create table contract_status_b (x integer)' }],
    }
    const [applied, pending] = await storage.migrationStatus([set])
    assert.equal(applied?.status, 'applied')
    assert.equal(typeof applied?.appliedAt, 'number')
    assert.ok((applied?.appliedAt ?? 0) >= before)
    assert.match(applied?.checksum ?? '', /^[0-9a-f]{64}$/)
    assert.deepEqual(pending, { ...pending, status: 'pending', appliedAt: null })
    const unknown = await storage.migrationStatus([])
    assert.ok(unknown.some((state) => state.module === 'contract_status' && state.status === 'applied'))
  })

  it('applies the core migrations on a fresh database, then again as a no-op', async () => {
    const storage = getStorage()
    const count = coreMigrations.migrations.length
    const first = await storage.migrate([coreMigrations])
    assert.deepEqual(
      first.applied,
      coreMigrations.migrations.map((migration) => ({ module: 'core', id: migration.id })),
    )
    assert.deepEqual(await storage.migrate([coreMigrations]), { applied: [], skipped: count })
    const states = await storage.migrationStatus([coreMigrations])
    assert.ok(states.every((state) => state.status === 'applied'))

    const community = await storage.one<{ name: string; is_public: number; created_at: number }>(
      sql`select name, is_public, created_at from communities where id = ${'default'}`,
    )
    assert.equal(community?.name, 'default')
    assert.equal(typeof community?.created_at, 'number')

    const command = await storage.one<{ id: number; timeout_ms: number; created_at: number }>(
      sql`insert into commands (name, prefix, module, aliases) values (${'help'}, ${'!'}, ${'core'}, ${'["h"]'})
          returning id, timeout_ms, created_at`,
    )
    assert.equal(typeof command?.id, 'number')
    assert.equal(command?.timeout_ms, 5000)
    assert.ok(Math.abs((command?.created_at ?? 0) - Date.now()) < 60_000)
    await storage.execute(sql`insert into command_permissions (command_id, entity_id, is_enabled)
      values (${command?.id}, ${'twitch:chan'}, ${true})`)
    const joined = await storage.one<{ name: string; is_enabled: number; usage_count: number }>(
      sql`select c.name, p.is_enabled, p.usage_count from command_permissions p
          join commands c on c.id = p.command_id where p.entity_id = ${'twitch:chan'}`,
    )
    assert.deepEqual(joined, { name: 'help', is_enabled: 1, usage_count: 0 })
    await assert.rejects(
      storage.execute(sql`insert into commands (name, prefix, module) values (${'bad'}, ${'?'}, ${'core'})`),
    )

    const match = await storage.one<{ id: number }>(
      sql`insert into stringmatch (pattern, action) values (${'spam'}, ${'delete'}) returning id`,
    )
    const second = await storage.one<{ id: number }>(
      sql`insert into stringmatch (pattern) values (${'eggs'}) returning id`,
    )
    assert.ok((second?.id ?? 0) > (match?.id ?? 0))
    await storage.execute(sql`insert into community_members (community_id, platform, platform_user_id)
      values (${'default'}, ${'twitch'}, ${'42'})`)
    const member = await storage.one<{ role: string; reputation: number }>(
      sql`select role, reputation from community_members where platform_user_id = ${'42'}`,
    )
    assert.deepEqual(member, { role: 'member', reputation: 600 })
    await storage.execute(sql`insert into api_keys (id, name, scope, key_hash, key_prefix)
      values (${'k1'}, ${'ci'}, ${'admin'}, ${'hash'}, ${'wb_'})`)
    const key = await storage.one<{ scope: string; revoked_at: null }>(
      sql`select scope, revoked_at from api_keys where id = ${'k1'}`,
    )
    assert.deepEqual(key, { scope: 'admin', revoked_at: null })
  })
}
