/**
 * The Postgres driver over `pg.Pool` (max 10 connections), with an optional second pool for
 * `readUrl` exposed as `replica`. INT8 and NUMERIC columns are parsed as JS numbers by a types
 * object private to these pools (the global `pg.types` registry is left untouched).
 */
import pg from 'pg'
import { asUnreachable } from './faults.js'
import { type MigrationConnection, migrationStatus, runMigrations } from './migrate.js'
import { createPgChanges } from './pg-changes.js'
import { type BaseStorage, memoryWriteMarks, withReadRouting } from './read-routing.js'
import { compile } from './sql.js'
import type { Queryable, Sql, Storage, StorageOptions, Transaction } from './types.js'

/** `pg_advisory_xact_lock` key serialising migration runs across processes ("wadd"). */
const MIGRATION_LOCK_KEY = 0x77616464

const OID_INT8 = 20
const OID_NUMERIC = 1700
const OID_INT8_ARRAY = 1016
const OID_NUMERIC_ARRAY = 1231
type TypeId = Parameters<typeof pg.types.getTypeParser>[0]
/** The INT4[] / FLOAT8[] parsers, which yield arrays of numbers. */
const parseIntArray = pg.types.getTypeParser(1007 as TypeId, 'text')
const parseFloatArray = pg.types.getTypeParser(1022 as TypeId, 'text')

/** Type parsers for this driver's pools: INT8/NUMERIC (and their arrays) as numbers. */
const types: pg.CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === OID_INT8 || oid === OID_NUMERIC) return Number
      if (oid === OID_INT8_ARRAY) return parseIntArray
      if (oid === OID_NUMERIC_ARRAY) return parseFloatArray
    }
    return pg.types.getTypeParser(oid, format)
  },
}

interface Scope {
  open: boolean
  nested: boolean
  readonly depth: number
}

type Runner = Pick<pg.Pool, 'query'> | pg.PoolClient

/** A connection attempt gives up after this long (pg's default waits forever on a black-holed host). */
const CONNECT_TIMEOUT_MS = 5000

function createPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 10, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS })
  pool.on('error', () => {
    // An idle client lost its connection; the pool discards it and reconnects on next use.
  })
  return pool
}

/** Runs `query`, reporting a lost or refused connection as WB_STORAGE_UNREACHABLE (HTTP 503). */
async function guarded<T>(query: () => Promise<T>): Promise<T> {
  try {
    return await query()
  } catch (error) {
    throw asUnreachable(error)
  }
}

function queryable(runner: Runner, check: () => void = () => {}): Queryable {
  const rows = async (statement: Sql): Promise<unknown[]> => {
    check()
    const { text, values } = compile(statement, 'postgres')
    return (await guarded(() => runner.query(text, values))).rows
  }
  return {
    dialect: 'postgres',
    query: async <TRow>(statement: Sql) => (await rows(statement)) as TRow[],
    one: async <TRow>(statement: Sql) => (await rows(statement))[0] as TRow | undefined,
    execute: async (statement: Sql) => {
      check()
      const { text, values } = compile(statement, 'postgres')
      return { changes: (await guarded(() => runner.query(text, values))).rowCount ?? 0 }
    },
  }
}

/** The handle for one transaction level on `client`; its `transaction()` opens a SAVEPOINT. */
function handle(client: pg.PoolClient, scope: Scope): Transaction & MigrationConnection {
  const check = (): void => {
    if (!scope.open) {
      throw new Error('This transaction handle is no longer usable: its transaction has finished.')
    }
    if (scope.nested) throw new Error('A nested transaction is open: use its handle until it ends')
  }
  return {
    ...queryable(client, check),
    exec: async (script: string) => {
      check()
      await client.query(script)
    },
    transaction: async <T>(work: (tx: Transaction) => Promise<T>) => {
      check()
      const name = `wb_savepoint_${scope.depth + 1}`
      const inner: Scope = { open: true, nested: false, depth: scope.depth + 1 }
      await client.query(`savepoint ${name}`)
      scope.nested = true
      try {
        const result = await work(handle(client, inner))
        await client.query(`release savepoint ${name}`)
        return result
      } catch (error) {
        // If this fails the connection or outer transaction is broken; the outer level reports it.
        await client.query(`rollback to savepoint ${name}; release savepoint ${name}`).catch(() => {})
        throw error
      } finally {
        inner.open = false
        scope.nested = false
      }
    },
  }
}

/** Opens a Postgres storage for `options.url` (and `options.readUrl` as the replica). */
export function createPostgresStorage(options: StorageOptions): Storage {
  const pool = createPool(options.url)
  const replicaPool = options.readUrl ? createPool(options.readUrl) : undefined
  const primary = queryable(pool)
  const changes = createPgChanges(options.url)
  let closing: Promise<void> | undefined

  async function transaction<T>(
    work: (tx: Transaction & MigrationConnection) => Promise<T>,
    lockKey?: number,
  ): Promise<T> {
    const client = await guarded(() => pool.connect())
    const scope: Scope = { open: true, nested: false, depth: 0 }
    let broken: Error | undefined
    // While checked out a client has no pool listener: a server that goes away (restart, `-m immediate`)
    // would otherwise emit an unhandled 'error' and end the process. The query in flight rejects anyway.
    const lost = (error: Error) => {
      broken ??= error
    }
    client.on('error', lost)
    try {
      await client.query('begin').catch((error: Error) => {
        broken = error
        throw error
      })
      try {
        if (lockKey !== undefined) await client.query('select pg_advisory_xact_lock($1)', [lockKey])
        const result = await work(handle(client, scope))
        scope.open = false
        await client.query('commit')
        return result
      } catch (error) {
        scope.open = false
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError
        })
        throw error
      }
    } catch (error) {
      throw asUnreachable(error)
    } finally {
      scope.open = false
      client.off('error', lost)
      client.release(broken)
    }
  }

  const migrationDriver = {
    dialect: 'postgres' as const,
    db: primary,
    exclusive: <T>(work: (conn: MigrationConnection) => Promise<T>) => transaction(work, MIGRATION_LOCK_KEY),
  }

  const base: BaseStorage = {
    ...primary,
    replica: replicaPool ? queryable(replicaPool) : primary,
    transaction: (work) => transaction(work),
    migrate: (sets) => runMigrations(migrationDriver, sets),
    migrationStatus: (sets) => migrationStatus(migrationDriver, sets),
    changeVersion: (channel) => changes.version(channel),
    ping: () =>
      guarded(async () => {
        await pool.query('select 1')
        if (replicaPool) await replicaPool.query('select 1')
      }),
    close: () => {
      closing ??= Promise.all([changes.close(), pool.end(), replicaPool?.end()]).then(() => undefined)
      return closing
    },
  }
  return withReadRouting(base, memoryWriteMarks(), replicaPool !== undefined)
}
