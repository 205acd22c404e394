/**
 * The storage contract: one surface over SQLite (better-sqlite3) and Postgres (pg).
 * Statements are built with the `sql` tagged template; placeholders are compiled per dialect.
 * Timestamps are epoch-ms integers; JSON is stored as TEXT in both dialects; booleans as 0/1 integers.
 */
export type Dialect = 'sqlite' | 'postgres'

/** A compiled-later SQL statement: literal chunks and the values between them. */
export interface Sql {
  readonly strings: readonly string[]
  readonly values: readonly unknown[]
}

export interface ExecuteResult {
  /** Rows changed by an INSERT/UPDATE/DELETE. */
  readonly changes: number
}

export interface Queryable {
  readonly dialect: Dialect
  /** All rows of a statement. */
  query<TRow = Record<string, unknown>>(statement: Sql): Promise<TRow[]>
  /** The first row, or undefined. */
  one<TRow = Record<string, unknown>>(statement: Sql): Promise<TRow | undefined>
  /** A statement whose rows are not needed. */
  execute(statement: Sql): Promise<ExecuteResult>
}

/**
 * The handle passed to `Storage.transaction`'s work function. Its own `transaction()` opens a
 * nested transaction as a SAVEPOINT: rolled back alone when its work throws.
 */
export interface Transaction extends Queryable {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
}

/**
 * A migration. `sql` is either portable SQL or one variant per dialect.
 * A statement list separated by `;` is allowed.
 */
export interface Migration {
  readonly id: string
  readonly sql: string | { readonly sqlite: string; readonly postgres: string }
}

/** The migrations of one module (or of `core`), applied in order. */
export interface MigrationSet {
  readonly module: string
  readonly migrations: readonly Migration[]
}

export interface MigrationState {
  readonly module: string
  readonly id: string
  readonly checksum: string
  /** epoch ms, or null when pending */
  readonly appliedAt: number | null
  readonly status: 'applied' | 'pending' | 'changed'
}

export interface MigrationReport {
  readonly applied: readonly { module: string; id: string }[]
  readonly skipped: number
}

export interface Storage extends Queryable {
  /**
   * Read-only queries that may go to `DATABASE_READ_URL`; the primary when none is configured. Never routed
   * by recent writes: prefer `read(scope)` for anything a user may have just changed.
   */
  readonly replica: Queryable
  /**
   * Read-only queries for `scopes` (`user:<id>`, `community:<id>`, `commands`, …): the replica, unless one of
   * the scopes was written within the last few seconds (`wrote`, or a write through `scope(...)`), then the
   * primary (read-your-writes). The primary when no replica is configured.
   */
  read(...scopes: string[]): Queryable
  /** Marks `scopes` as just written: their `read(...)` goes to the primary for a few seconds. */
  wrote(...scopes: string[]): Promise<void>
  /**
   * A view whose `execute` and `transaction` mark `scopes` after they succeed and whose `replica` is
   * `read(...scopes)`: hand it to code that takes a Storage and gets read-your-writes for free.
   */
  scope(...scopes: string[]): Storage
  /**
   * Runs `work` in one transaction. `work` may use only `tx` and must not await non-database I/O.
   * Commits when it resolves, rolls back when it throws (and rethrows).
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  /** Applies every pending migration of `sets` (in order), serialised across processes. Idempotent. */
  migrate(sets: readonly MigrationSet[]): Promise<MigrationReport>
  /** The state of every migration of `sets`, plus applied migrations no longer known. */
  migrationStatus(sets: readonly MigrationSet[]): Promise<MigrationState[]>
  /**
   * SQLite only: `text`, one statement with named parameters (`@name`), run once per row, all in one
   * transaction on the connection itself, with no other caller's statement in between: the fast path for
   * many rows of one shape (the execution log's group commit).
   */
  runBatch?(text: string, rows: readonly object[]): Promise<void>
  /**
   * A number that changes whenever another connection commits (SQLite's `data_version`), for in-process
   * caches of rarely written rows. Absent where no such cheap signal exists (Postgres).
   */
  dataVersion?(): number
  /**
   * A counter that changes whenever a Postgres `NOTIFY` arrives on `channel` (core triggers notify
   * `waddlebot_api_keys`), or undefined while that is not being listened to: ask the database then.
   */
  changeVersion?(channel: string): number | undefined
  /** Resolves when the database answers; throws otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface StorageOptions {
  /** `sqlite:./data/waddlebot.db`, `sqlite::memory:`, or `postgres://…` */
  readonly url: string
  /** Optional read replica (Postgres only). */
  readonly readUrl?: string | undefined
  /** Base folder for relative SQLite paths. */
  readonly cwd?: string | undefined
  /** SQLite file: how often its WAL is checkpointed by the checkpoint thread (tests; default 500 ms). */
  readonly checkpointMs?: number | undefined
}
