/**
 * The migration runner shared by the SQLite and Postgres drivers.
 *
 * Applied migrations are recorded in `schema_migrations(module, id, checksum, applied_at)`. Each
 * migration runs in its own transaction together with its record row, inside the driver's
 * cross-process lock (SQLite `BEGIN IMMEDIATE`, Postgres `pg_advisory_xact_lock`), and is re-checked
 * under that lock so concurrent runners never apply it twice. A recorded migration whose SQL
 * changed is never re-applied: `migrate()` throws naming it.
 */
import { createHash } from 'node:crypto'
import { sql } from './sql.js'
import type { Dialect, Migration, MigrationReport, MigrationSet, MigrationState, Queryable } from './types.js'

/** A connection inside the migration lock's transaction that can also run multi-statement scripts. */
export interface MigrationConnection extends Queryable {
  /** Runs a script of `;`-separated statements with no parameters. */
  exec(script: string): Promise<void>
}

/** What a driver provides to the runner. */
export interface MigrationDriver {
  readonly dialect: Dialect
  /** Primary-database access outside any transaction (for reading state). */
  readonly db: Queryable
  /** Runs `work` in one transaction holding the cross-process migration lock. */
  exclusive<T>(work: (conn: MigrationConnection) => Promise<T>): Promise<T>
}

const createTable = `create table if not exists schema_migrations (
  module text not null,
  id text not null,
  checksum text not null,
  applied_at bigint not null,
  primary key (module, id)
)`

interface RecordRow {
  module: string
  id: string
  checksum: string
  applied_at: number
}

/** The SQL text of `migration` for `dialect`. */
export function migrationSql(migration: Migration, dialect: Dialect): string {
  return typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect]
}

/** sha256 (hex) of the migration's SQL text for `dialect`. */
export function migrationChecksum(migration: Migration, dialect: Dialect): string {
  return createHash('sha256').update(migrationSql(migration, dialect)).digest('hex')
}

/** Throws when a module appears twice or a module repeats a migration id. */
function validate(sets: readonly MigrationSet[]): void {
  const modules = new Set<string>()
  for (const set of sets) {
    if (modules.has(set.module)) throw new Error(`Migration module "${set.module}" is listed twice`)
    modules.add(set.module)
    const ids = new Set<string>()
    for (const migration of set.migrations) {
      if (ids.has(migration.id)) {
        throw new Error(`Migration ${set.module}/${migration.id} is defined twice`)
      }
      ids.add(migration.id)
    }
  }
}

function changedError(module: string, id: string, recorded: string, current: string): Error {
  return new Error(
    `Migration ${module}/${id} has changed since it was applied ` +
      `(recorded checksum ${recorded.slice(0, 12)}…, now ${current.slice(0, 12)}…). ` +
      'Applied migrations must not be edited: restore it and add a new migration instead.',
  )
}

async function tableExists(driver: MigrationDriver): Promise<boolean> {
  const statement =
    driver.dialect === 'sqlite'
      ? sql`select 1 as present from sqlite_master where type = 'table' and name = 'schema_migrations'`
      : sql`select 1 as present from information_schema.tables
            where table_name = 'schema_migrations' and table_schema = current_schema()`
  return (await driver.db.one(statement)) !== undefined
}

async function readRecords(driver: MigrationDriver): Promise<Map<string, RecordRow>> {
  const records = new Map<string, RecordRow>()
  if (!(await tableExists(driver))) return records
  const rows = await driver.db.query<RecordRow>(
    sql`select module, id, checksum, applied_at from schema_migrations order by module, id`,
  )
  for (const row of rows) records.set(`${row.module}\u0000${row.id}`, row)
  return records
}

/** The state of every migration of `sets` (in order), then applied migrations no longer known. */
export async function migrationStatus(
  driver: MigrationDriver,
  sets: readonly MigrationSet[],
): Promise<MigrationState[]> {
  validate(sets)
  const records = await readRecords(driver)
  const states: MigrationState[] = []
  for (const set of sets) {
    for (const migration of set.migrations) {
      const checksum = migrationChecksum(migration, driver.dialect)
      const key = `${set.module}\u0000${migration.id}`
      const record = records.get(key)
      records.delete(key)
      states.push({
        module: set.module,
        id: migration.id,
        checksum,
        appliedAt: record === undefined ? null : Number(record.applied_at),
        status: record === undefined ? 'pending' : record.checksum === checksum ? 'applied' : 'changed',
      })
    }
  }
  for (const record of records.values()) {
    states.push({
      module: record.module,
      id: record.id,
      checksum: record.checksum,
      appliedAt: Number(record.applied_at),
      status: 'applied',
    })
  }
  return states
}

/**
 * Applies every pending migration of `sets`, in order. Throws before applying anything when a
 * recorded migration's checksum changed. Idempotent: a second run applies nothing.
 */
export async function runMigrations(driver: MigrationDriver, sets: readonly MigrationSet[]): Promise<MigrationReport> {
  validate(sets)
  await driver.exclusive((conn) => conn.exec(createTable))
  const records = await readRecords(driver)
  for (const set of sets) {
    for (const migration of set.migrations) {
      const record = records.get(`${set.module}\u0000${migration.id}`)
      const checksum = migrationChecksum(migration, driver.dialect)
      if (record !== undefined && record.checksum !== checksum) {
        throw changedError(set.module, migration.id, record.checksum, checksum)
      }
    }
  }
  const applied: { module: string; id: string }[] = []
  let skipped = 0
  for (const set of sets) {
    for (const migration of set.migrations) {
      const { module } = set
      const { id } = migration
      const checksum = migrationChecksum(migration, driver.dialect)
      const didApply = await driver.exclusive(async (conn) => {
        const record = await conn.one<{ checksum: string }>(
          sql`select checksum from schema_migrations where module = ${module} and id = ${id}`,
        )
        if (record !== undefined) {
          if (record.checksum !== checksum) throw changedError(module, id, record.checksum, checksum)
          return false
        }
        try {
          await conn.exec(migrationSql(migration, driver.dialect))
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          throw new Error(`Migration ${module}/${id} failed: ${reason}`, { cause: error })
        }
        await conn.execute(
          sql`insert into schema_migrations (module, id, checksum, applied_at)
              values (${module}, ${id}, ${checksum}, ${Date.now()})`,
        )
        return true
      })
      if (didApply) applied.push({ module, id })
      else skipped++
    }
  }
  return { applied, skipped }
}
