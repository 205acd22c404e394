/**
 * Test support for the coordination tests (not used at run time): the same suite on a SQLite temp file
 * and on a fresh Postgres database, each migrated with the core tables and the coordination migrations.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe } from 'node:test'
import { describeWithPostgres } from '../pg.js'
import { coreMigrations } from '../../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../../src/runtime/storage/index.js'
import type { MigrationSet, Storage } from '../../../src/runtime/storage/types.js'
import { coordinationMigrations } from '../../../src/modules/router/coordination/migrations.js'

export const MIGRATION_SETS: readonly MigrationSet[] = [
  coreMigrations,
  { module: 'router', migrations: coordinationMigrations },
]

/** One database for a suite; `open()` may be called several times (separate connections/pools). */
export interface TestDatabase {
  readonly dialect: 'sqlite' | 'postgres'
  /** `sqlite:/tmp/…/coordination.db` or `postgres://…/wb_test_…` */
  readonly url: string
  /** A new, migrated storage on this database; closed after the suite. */
  open(): Promise<Storage>
}

function testDatabase(dialect: 'sqlite' | 'postgres', url: string): TestDatabase {
  const opened: Storage[] = []
  after(async () => {
    await Promise.allSettled(opened.map((s) => s.close()))
  })
  return {
    dialect,
    url,
    async open() {
      const storage = await createStorage({ url })
      opened.push(storage)
      await storage.migrate(MIGRATION_SETS)
      return storage
    },
  }
}

/**
 * Registers `register` twice: on a SQLite temp file, and on a fresh Postgres database (skipped with a
 * reason when Postgres is unreachable, failing under CI=true; see test/helpers/pg.ts).
 */
export async function describeOnBothDatabases(name: string, register: (db: TestDatabase) => void): Promise<void> {
  describe(`${name} (sqlite)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'wb-coordination-'))
    const db = testDatabase('sqlite', `sqlite:${join(dir, 'coordination.db')}`)
    // Registered after the database's own hook, so its connections close before the folder goes.
    after(() => rmSync(dir, { recursive: true, force: true }))
    register(db)
  })
  await describeWithPostgres(`${name} (postgres)`, (url) => register(testDatabase('postgres', url)))
}

/** A clock tests move by hand. */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): number } {
  let t = start
  return {
    now: () => t,
    advance: (ms) => {
      t += ms
      return t
    },
  }
}
