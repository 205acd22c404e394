/**
 * `waddlebot db backup` / `db restore`.
 * - SQLite: SQLite's online backup API (better-sqlite3 `backup()`), safe while the bot runs; the backup is a
 *   plain SQLite file. Restore copies it back through the same API, so a running reader never sees a torn file.
 * - Postgres: `pg_dump` as plain SQL (`--clean --if-exists --no-owner --no-privileges`), which `psql -f` can
 *   restore without waddlebot; `db restore` runs it with psql in one transaction, stopping at the first error.
 *   The connection goes to pg_dump/psql in PG* variables, so the password never shows in a process list.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import type { Settings } from '../runtime/config.js'
import { WaddleError } from '../runtime/errors.js'
import { dialectOf } from '../runtime/storage/index.js'

export interface BackupReport {
  readonly dialect: 'sqlite' | 'postgres'
  /** The database, password hidden. */
  readonly database: string
  readonly file: string
  readonly bytes: number
}

const SQLITE_MAGIC = 'SQLite format 3\0'
const PG_MARKER = 'PostgreSQL database dump'

/** The database URL with its password hidden. */
export function describeDatabase(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/i, '$1:***@')
}

function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('latin1')
  } finally {
    closeSync(fd)
  }
}

async function sqlitePath(settings: Settings): Promise<string> {
  const { sqliteFilename } = await import('../runtime/storage/sqlite.js')
  return sqliteFilename(settings.database.url, settings.projectDir)
}

/** pg_dump / psql from PATH, else the newest /usr/lib/postgresql/<n>/bin (Debian). */
export function findPgTool(tool: 'pg_dump' | 'psql', env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean))
    if (existsSync(join(dir, tool))) return join(dir, tool)
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : []
  for (const v of versions) if (existsSync(join(root, v, 'bin', tool))) return join(root, v, 'bin', tool)
  throw new WaddleError('WB_DB_TOOL_MISSING', { tool })
}

/** PG* variables for a postgres:// URL (libpq reads them; nothing secret on the command line). */
function pgEnv(url: string): NodeJS.ProcessEnv {
  const u = new URL(url)
  const param = (k: string) => u.searchParams.get(k) ?? undefined
  const vars: Record<string, string | undefined> = {
    PGHOST: decodeURIComponent(u.hostname) || param('host'),
    PGPORT: u.port || undefined,
    PGUSER: decodeURIComponent(u.username) || undefined,
    PGPASSWORD: u.password ? decodeURIComponent(u.password) : undefined,
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)) || undefined,
    PGSSLMODE: param('sslmode'),
    PGCONNECT_TIMEOUT: '10',
  }
  return Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(tool, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      if (code === 0) return resolvePromise()
      const line =
        stderr
          .split('\n')
          .map((l) => l.trim())
          .find((l) => /error|fatal/i.test(l)) ?? stderr.trim().split('\n')[0]
      reject(new Error(line || `${tool} exited with ${code}`))
    })
  })
}

export async function backupDatabase(
  settings: Settings,
  target: string,
  options: { force?: boolean } = {},
): Promise<BackupReport> {
  const url = settings.database.url
  const dialect = dialectOf(url)
  const database = describeDatabase(url)
  const file = resolve(target)
  if (existsSync(file) && !options.force) throw new WaddleError('WB_FILE_EXISTS', { path: file })
  const tmp = `${file}.${process.pid}.partial`
  try {
    if (dialect === 'sqlite') {
      const path = await sqlitePath(settings)
      if (path === ':memory:' || !existsSync(path)) throw new Error(`no database file at ${path}`)
      const { default: Database } = await import('better-sqlite3')
      const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 })
      try {
        await db.backup(tmp)
      } finally {
        db.close()
      }
    } else {
      await run(
        findPgTool('pg_dump', settings.env),
        ['--format=plain', '--clean', '--if-exists', '--no-owner', '--no-privileges', `--file=${tmp}`],
        pgEnv(url),
      )
    }
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, { force: true })
    if (error instanceof WaddleError) throw error
    throw new WaddleError('WB_DB_BACKUP_FAILED', { database, reason: (error as Error).message }, { cause: error })
  }
  return { dialect, database, file, bytes: statSync(file).size }
}

export async function restoreDatabase(settings: Settings, source: string): Promise<BackupReport> {
  const url = settings.database.url
  const dialect = dialectOf(url)
  const database = describeDatabase(url)
  const file = resolve(source)
  const fail = (reason: string, cause?: unknown) =>
    new WaddleError('WB_DB_RESTORE_FAILED', { database, reason }, { cause })
  if (!existsSync(file)) throw fail(`${file} does not exist`)
  const start = head(file, 4096)
  if (dialect === 'sqlite' && !start.startsWith(SQLITE_MAGIC)) {
    throw fail(
      `${file} is not a SQLite backup${start.includes(PG_MARKER) ? ' (it is a Postgres dump: set DATABASE_URL to the Postgres database)' : ''}`,
    )
  }
  if (dialect === 'postgres' && !start.includes(PG_MARKER)) {
    throw fail(`${file} is not a Postgres dump${start.startsWith(SQLITE_MAGIC) ? ' (it is a SQLite backup)' : ''}`)
  }
  try {
    if (dialect === 'sqlite') {
      const path = await sqlitePath(settings)
      const { default: Database } = await import('better-sqlite3')
      const backup = new Database(file, { readonly: true, fileMustExist: true })
      try {
        const known = backup
          .prepare("select count(*) from sqlite_master where type = 'table' and name = 'schema_migrations'")
          .pluck()
          .get()
        if (known !== 1) throw new Error(`${file} holds no waddlebot database (no schema_migrations table)`)
        await backup.backup(path)
      } finally {
        backup.close()
      }
    } else {
      await run(
        findPgTool('psql', settings.env),
        ['--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', `--file=${file}`],
        pgEnv(url),
      )
    }
  } catch (error) {
    if (error instanceof WaddleError) throw error
    throw fail((error as Error).message, error)
  }
  return { dialect, database, file, bytes: statSync(file).size }
}
