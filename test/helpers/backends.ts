/**
 * The backend matrix: every storage/cache feature test runs on SQLite + in-process and on Postgres + Redis.
 * Postgres/Redis unreachable: the test fails under CI=true, and is skipped with a reason otherwise.
 */
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { freshPostgresUrl } from './pg.js'

export interface Backend {
  readonly name: string
  /** Env overrides for loadSettings (DATABASE_URL, REDIS_URL). */
  env(): Promise<Record<string, string>>
  cleanup(): Promise<void>
}

export const REDIS_TEST_URL = process.env.WADDLEBOT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export function sqliteBackend(): Backend {
  return { name: 'sqlite + memory', env: async () => ({}), cleanup: async () => {} }
}

export function postgresRedisBackend(): Backend {
  let drop: (() => Promise<void>) | undefined
  return {
    name: 'postgres + redis',
    async env() {
      const pg = await freshPostgresUrl()
      drop = pg.drop
      // Its own Redis prefix too: test files run side by side, and keys outlive a run.
      return {
        DATABASE_URL: pg.url,
        REDIS_URL: REDIS_TEST_URL,
        WADDLEBOT_REDIS_PREFIX: `wbtest:${process.pid}:${randomBytes(4).toString('hex')}:`,
      }
    },
    async cleanup() {
      await drop?.()
    },
  }
}

/** undefined when Postgres and Redis answer; else the reason (thrown under CI=true). */
export async function serversUnavailable(): Promise<string | undefined> {
  let reason: string | undefined
  try {
    const pg = await freshPostgresUrl()
    await pg.drop()
  } catch (error) {
    reason = `Postgres unreachable: ${(error as Error).message}`
  }
  if (!reason) {
    const redis = new Redis(REDIS_TEST_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: () => null,
    })
    try {
      await redis.connect()
      await redis.ping()
    } catch (error) {
      reason = `Redis unreachable at ${REDIS_TEST_URL}: ${(error as Error).message}`
    } finally {
      redis.disconnect()
    }
  }
  if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true: Postgres and Redis tests must run)`)
  return reason
}
