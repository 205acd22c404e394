/**
 * The storage entry point: `createStorage({ url })` picks the driver from the URL scheme.
 */
import type { Dialect, Storage, StorageOptions } from './types.js'

export { coreMigrations } from './core-migrations.js'
export { migrationChecksum } from './migrate.js'
export { cacheWriteMarks, READ_YOUR_WRITES_MS, withReadRouting } from './read-routing.js'
export type { CompiledSql } from './sql.js'
export { compile, isSql, sql } from './sql.js'
export type * from './types.js'

const ACCEPTED =
  'sqlite:<path> (e.g. sqlite:./data/waddlebot.db), sqlite::memory:, file:<path>, a bare file path, ' +
  'or postgres://user:password@host:5432/database (postgresql:// also accepted)'

/**
 * The dialect a database URL selects. Throws an Error naming DATABASE_URL and the accepted forms
 * when the URL is empty or has another scheme (only the scheme is quoted, never credentials).
 */
export function dialectOf(url: string): Dialect {
  const trimmed = url.trim()
  if (trimmed === '') throw new Error(`DATABASE_URL is empty; expected ${ACCEPTED}`)
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase()
  // No scheme, or a one-letter Windows drive (C:\…), is a bare path.
  if (scheme === undefined || scheme.length === 1 || scheme === 'sqlite' || scheme === 'file') {
    return 'sqlite'
  }
  if ((scheme === 'postgres' || scheme === 'postgresql') && trimmed.slice(scheme.length + 1).startsWith('//')) {
    return 'postgres'
  }
  throw new Error(`Unsupported DATABASE_URL (scheme "${scheme}:"); expected ${ACCEPTED}`)
}

/**
 * Opens the storage for `options.url`: SQLite for `sqlite:` / `file:` / bare paths, Postgres for
 * `postgres://` and `postgresql://`. `options.readUrl` (Postgres only) becomes `replica`.
 */
export async function createStorage(options: StorageOptions): Promise<Storage> {
  const dialect = dialectOf(options.url)
  if (options.readUrl && dialectOf(options.readUrl) !== 'postgres') {
    throw new Error(`DATABASE_READ_URL must be a postgres:// URL; expected ${ACCEPTED}`)
  }
  // Drivers load on demand: a SQLite bot never loads pg, and a Postgres deployment never loads better-sqlite3.
  if (dialect === 'postgres') return (await import('./postgres.js')).createPostgresStorage(options)
  return (await import('./sqlite.js')).createSqliteStorage(options)
}
