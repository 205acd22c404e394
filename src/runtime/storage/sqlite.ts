/**
 * The SQLite driver over better-sqlite3: one connection (WAL, busy_timeout 5000, foreign keys on,
 * synchronous NORMAL), a prepared-statement cache keyed by compiled text, and an async mutex so that
 * while a `transaction()` is open, other callers' statements wait instead of joining it. On a file, the
 * WAL's checkpoints run on a thread of their own once the bot writes enough (sqlite-checkpoints.ts).
 *
 * No AsyncLocalStorage here on purpose: on Node 20 one use of it installs promise hooks for the whole
 * process (≈ 10% of the router's CPU). A call that waits longer than LOCK_WAIT_MS for an open transaction
 * fails instead, naming the usual cause (a storage call inside `transaction()` instead of on `tx`).
 */
import { mkdirSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { type MigrationConnection, migrationStatus, runMigrations } from './migrate.js'
import { type BaseStorage, memoryWriteMarks, withReadRouting } from './read-routing.js'
import { compile } from './sql.js'
import { Checkpoints } from './sqlite-checkpoints.js'
import type { ExecuteResult, Queryable, Sql, Storage, StorageOptions, Transaction } from './types.js'

/** Prepared statements kept per connection; the least recently used is dropped beyond this. */
const STATEMENT_CACHE_SIZE = 500

/** How long a statement waits for another caller's open transaction (like SQLite's busy_timeout). */
export const LOCK_WAIT_MS = 5000

interface Waiter {
  readonly grant: () => void
  readonly timer: NodeJS.Timeout | undefined
}

/** A FIFO async mutex; `busy` lets the uncontended path skip the queue entirely. */
class Mutex {
  #locked = false
  readonly #waiters: Waiter[] = []

  get busy(): boolean {
    return this.#locked
  }

  /** Resolves once held; with `timeout`, rejects with `timeout.error()` after `timeout.ms` in the queue. */
  acquire(timeout?: { ms: number; error: () => Error }): Promise<void> {
    if (!this.#locked) {
      this.#locked = true
      return Promise.resolve()
    }
    return new Promise((resolveWaiter, rejectWaiter) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(waiter.timer)
          resolveWaiter()
        },
        timer: timeout
          ? setTimeout(() => {
              this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
              rejectWaiter(timeout.error())
            }, timeout.ms)
          : undefined,
      }
      this.#waiters.push(waiter)
    })
  }

  release(): void {
    const next = this.#waiters.shift()
    if (next === undefined) this.#locked = false
    else next.grant()
  }
}

function lockWaitError(what: string): Error {
  return new Error(
    `storage.${what}() waited ${LOCK_WAIT_MS / 1000} s for an open transaction. If it was called inside ` +
      'storage.transaction(), use the tx handle given to the work function (waiting there would deadlock).',
  )
}

/** One transaction or savepoint level. */
interface Scope {
  open: boolean
  /** A nested savepoint is open on this level's handle. */
  nested: boolean
  readonly depth: number
}

/**
 * The database file for a `sqlite:` / `file:` URL or bare path, resolved against `cwd`;
 * `:memory:` for `sqlite::memory:`. `sqlite:///abs/x.db` and `file:///abs/x.db` are absolute.
 */
export function sqliteFilename(url: string, cwd: string = process.cwd()): string {
  let path = url.replace(/^(sqlite|file):/i, '')
  if (path.startsWith('//')) path = path.slice(2).replace(/^localhost(?=\/)/, '')
  path = path.replace(/\?.*$/, '')
  if (path === ':memory:' || path === '') return ':memory:'
  if (url.toLowerCase().startsWith('file:')) path = decodeURIComponent(path)
  return isAbsolute(path) ? path : resolve(cwd, path)
}

function finishedError(): Error {
  return new Error('This transaction handle is no longer usable: its transaction has finished.')
}

/**
 * Opens a SQLite storage for `options.url` (`sqlite:./data/waddlebot.db`, `sqlite::memory:`,
 * `file:…` or a bare path). The parent folder of a file database is created when missing.
 */
export function createSqliteStorage(options: StorageOptions): Storage {
  if (options.readUrl) throw new Error('DATABASE_READ_URL is only supported with Postgres')
  const filename = sqliteFilename(options.url, options.cwd ?? process.cwd())
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const db = new Database(filename, { timeout: 5000 })
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  db.pragma('synchronous = NORMAL')

  const statements = new Map<string, Database.Statement<unknown[], unknown>>()
  const lock = new Mutex()
  const dataVersion = db.prepare('pragma data_version').pluck()
  let closed = false
  /** Grows with every write (the checkpoint thread runs only while there are some). */
  let writes = 0
  const runAll = db.transaction((statement: Database.Statement<unknown[], unknown>, rows: readonly object[]) => {
    for (const row of rows) statement.run(row)
  })
  const checkpoints =
    filename === ':memory:'
      ? undefined
      : new Checkpoints(
          {
            filename,
            writes: () => writes,
            hold: async () => {
              await lock.acquire()
              return () => lock.release()
            },
            autoCheckpoint: (on) => {
              if (!closed) db.pragma(`wal_autocheckpoint = ${on ? 1000 : 0}`)
            },
          },
          options.checkpointMs,
        )

  function prepare(text: string): Database.Statement<unknown[], unknown> {
    let statement = statements.get(text)
    if (statement !== undefined) {
      statements.delete(text)
    } else {
      statement = db.prepare<unknown[], unknown>(text)
      if (statements.size >= STATEMENT_CACHE_SIZE) {
        statements.delete(statements.keys().next().value as string)
      }
    }
    statements.set(text, statement)
    return statement
  }

  function rowsOf(statement: Sql): unknown[] {
    const { text, values } = compile(statement, 'sqlite')
    const prepared = prepare(text)
    if (!prepared.readonly) writes++
    if (prepared.reader) return prepared.all(values)
    prepared.run(values)
    return []
  }

  function changesOf(statement: Sql): ExecuteResult {
    const { text, values } = compile(statement, 'sqlite')
    const prepared = prepare(text)
    if (!prepared.readonly) writes++
    if (!prepared.reader) return { changes: prepared.run(values).changes }
    const rows = prepared.all(values)
    return { changes: prepared.readonly ? 0 : rows.length }
  }

  function ensureOpen(): void {
    if (closed) throw new Error('The SQLite storage is closed')
  }

  /** Runs `fn` now, or after the open transaction when one holds the connection. */
  async function outside<T>(what: string, fn: () => T): Promise<T> {
    ensureOpen()
    if (!lock.busy) return fn()
    await lock.acquire({ ms: LOCK_WAIT_MS, error: () => lockWaitError(what) })
    try {
      ensureOpen()
      return fn()
    } finally {
      lock.release()
    }
  }

  function handle(scope: Scope): Transaction & MigrationConnection {
    const check = (): void => {
      if (!scope.open) throw finishedError()
      if (scope.nested) throw new Error('A nested transaction is open: use its handle until it ends')
    }
    return {
      dialect: 'sqlite',
      query: async <TRow>(statement: Sql) => {
        check()
        return rowsOf(statement) as TRow[]
      },
      one: async <TRow>(statement: Sql) => {
        check()
        return rowsOf(statement)[0] as TRow | undefined
      },
      execute: async (statement: Sql) => {
        check()
        return changesOf(statement)
      },
      exec: async (script: string) => {
        check()
        writes++
        db.exec(script)
      },
      transaction: async <T>(work: (tx: Transaction) => Promise<T>) => {
        check()
        const name = `wb_savepoint_${scope.depth + 1}`
        const inner: Scope = { open: true, nested: false, depth: scope.depth + 1 }
        db.exec(`savepoint ${name}`)
        scope.nested = true
        try {
          const result = await work(handle(inner))
          db.exec(`release ${name}`)
          return result
        } catch (error) {
          if (db.inTransaction) db.exec(`rollback to ${name}; release ${name}`)
          throw error
        } finally {
          inner.open = false
          scope.nested = false
        }
      },
    }
  }

  async function transaction<T>(work: (tx: Transaction & MigrationConnection) => Promise<T>): Promise<T> {
    ensureOpen()
    await lock.acquire({ ms: LOCK_WAIT_MS, error: () => lockWaitError('transaction') })
    const scope: Scope = { open: true, nested: false, depth: 0 }
    try {
      ensureOpen()
      db.exec('begin immediate')
      try {
        const result = await work(handle(scope))
        db.exec('commit')
        return result
      } catch (error) {
        if (db.inTransaction) db.exec('rollback')
        throw error
      }
    } finally {
      scope.open = false
      lock.release()
    }
  }

  const primary: Queryable = {
    dialect: 'sqlite',
    query: <TRow>(statement: Sql) => outside('query', () => rowsOf(statement) as TRow[]),
    one: <TRow>(statement: Sql) => outside('one', () => rowsOf(statement)[0] as TRow | undefined),
    execute: (statement: Sql) => outside('execute', () => changesOf(statement)),
  }
  const migrationDriver = { dialect: 'sqlite' as const, db: primary, exclusive: transaction }

  const base: BaseStorage = {
    ...primary,
    replica: primary,
    transaction,
    migrate: (sets) => runMigrations(migrationDriver, sets),
    migrationStatus: (sets) => migrationStatus(migrationDriver, sets),
    runBatch: (text, rows) =>
      outside('runBatch', () => {
        writes++
        runAll.immediate(prepare(text), rows)
      }),
    dataVersion: () => {
      ensureOpen()
      return dataVersion.get() as number
    },
    ping: async () => {
      await outside('ping', () => db.prepare('select 1').get())
    },
    close: async () => {
      if (closed) return
      await checkpoints?.close()
      await lock.acquire()
      try {
        if (!closed) {
          closed = true
          statements.clear()
          db.close()
        }
      } finally {
        lock.release()
      }
    },
  }
  return withReadRouting(base, memoryWriteMarks(), false)
}
