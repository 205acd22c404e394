/**
 * Postgres helpers for tests: each test file gets its own freshly created database, dropped after.
 * The server comes from `WADDLEBOT_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
 */
import { randomBytes } from 'node:crypto'
import { after, describe, test } from 'node:test'
import pg from 'pg'

/** The admin URL tests create their databases through. */
export const TEST_PG_URL = process.env['WADDLEBOT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A database created for one test file. */
export interface FreshPostgres {
  /** Connection URL of the new database. */
  readonly url: string
  /** Drops the database (`WITH (FORCE)`, so open connections are closed). Idempotent. */
  drop(): Promise<void>
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 })
  client.on('error', () => {
    // Reported through the failing query instead.
  })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/**
 * Creates a uniquely named database (`wb_test_<pid>_<random>`) on the test server.
 * Rejects when the server is unreachable.
 */
export async function freshPostgresUrl(): Promise<FreshPostgres> {
  const name = `wb_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await admin((client) => client.query(`create database "${name}"`))
  const url = new URL(TEST_PG_URL)
  url.pathname = `/${name}`
  let dropped: Promise<void> | undefined
  return {
    url: url.toString(),
    drop: () => {
      dropped ??= admin(async (client) => {
        await client.query(`drop database if exists "${name}" with (force)`)
      })
      return dropped
    },
  }
}

/** Where the test URL points, without its password. */
function describeServer(): string {
  const url = new URL(TEST_PG_URL)
  url.password = ''
  return url.toString()
}

/**
 * Registers a suite named `name` whose body `register(url)` runs against a fresh database that is
 * dropped afterwards. When Postgres is unreachable the suite is skipped with the reason, or, when
 * `CI=true`, a failing test explains that Postgres is required.
 */
export async function describeWithPostgres(name: string, register: (url: string) => void): Promise<void> {
  let fresh: FreshPostgres
  try {
    fresh = await freshPostgresUrl()
  } catch (error) {
    const reason = `Postgres unreachable at ${describeServer()} (${(error as Error).message}); set WADDLEBOT_TEST_PG_URL`
    if (process.env['CI'] === 'true') {
      test(`${name}: Postgres is required when CI=true`, () => {
        throw new Error(reason)
      })
    } else {
      describe(name, { skip: reason }, () => {})
    }
    return
  }
  describe(name, () => {
    after(() => fresh.drop())
    register(fresh.url)
  })
}
