/**
 * The backend matrix for the matcher's tests (not used at run time): SQLite + in-process cache, and
 * Postgres (a fresh database per test file) + Redis (a fresh namespace). Postgres/Redis unreachable: the
 * suite is skipped with the reason, or fails under CI=true (see test/helpers/backends.ts).
 */
import { randomBytes } from 'node:crypto'
import { REDIS_TEST_URL, serversUnavailable } from '../../../../test/helpers/backends.js'
import { freshPostgresUrl } from '../../../../test/helpers/pg.js'
import { createCache } from '../../../runtime/cache/index.js'
import type { Cache } from '../../../runtime/cache/types.js'
import { coreMigrations } from '../../../runtime/storage/core-migrations.js'
import { createStorage } from '../../../runtime/storage/index.js'
import type { Storage } from '../../../runtime/storage/types.js'

/** One opened backend: storage with the core tables, a cache factory (each call = a new connection). */
export interface OpenBackend {
  readonly storage: Storage
  /** A cache on this backend; on Redis every call is a new connection to the same namespace. */
  cache(): Promise<Cache>
  close(): Promise<void>
}

/** A backend of the matrix: its name, why it is skipped (if it is), and how to open it. */
export interface MatrixBackend {
  readonly name: string
  readonly skip: string | undefined
  open(): Promise<OpenBackend>
}

const quiet = (): void => {}

async function open(url: string, redisUrl: string | undefined): Promise<OpenBackend> {
  const storage = await createStorage({ url })
  await storage.migrate([coreMigrations])
  const namespace = `wbtest:matcher:${process.pid}:${randomBytes(4).toString('hex')}:`
  const caches: Cache[] = []
  const shared = redisUrl === undefined ? await createCache({ onError: quiet }) : undefined
  return {
    storage,
    async cache() {
      if (shared) return shared
      const cache = await createCache({ redisUrl, namespace, onError: quiet })
      caches.push(cache)
      return cache
    },
    async close() {
      await caches[0]?.delete('stringmatch:version')
      await Promise.all([...caches, ...(shared ? [shared] : [])].map((c) => c.close()))
      await storage.close()
    },
  }
}

/** SQLite in memory + the in-process cache, and Postgres + Redis. */
export async function matrix(): Promise<MatrixBackend[]> {
  const skip = await serversUnavailable()
  return [
    { name: 'sqlite + memory', skip: undefined, open: () => open('sqlite::memory:', undefined) },
    {
      name: 'postgres + redis',
      skip,
      async open() {
        const pg = await freshPostgresUrl()
        const backend = await open(pg.url, REDIS_TEST_URL)
        const close = async (): Promise<void> => {
          await backend.close()
          await pg.drop()
        }
        return { ...backend, close }
      },
    },
  ]
}
