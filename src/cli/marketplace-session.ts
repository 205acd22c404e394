/** What the `waddlebot marketplace …` commands share: the database with the marketplace tables, and the notice. */
import { userInfo } from 'node:os'
import { marketplaceMigrations } from '../modules/marketplace/public.js'
import { createCache } from '../runtime/cache/index.js'
import type { Settings } from '../runtime/config.js'
import { migrateDatabase } from '../runtime/database.js'
import type { Storage } from '../runtime/storage/types.js'
import { withStorage } from './storage-session.js'

/** Runs `work` on the configured database, with the marketplace tables migrated. */
export function withMarketStorage<T>(settings: Settings, work: (storage: Storage) => Promise<T>): Promise<T> {
  return withStorage(settings, async (storage) => {
    await migrateDatabase(storage, [{ module: 'marketplace', migrations: marketplaceMigrations }])
    return work(storage)
  })
}

/** The audit actor of a CLI change. */
export const cliActor = (): string => `cli:${userInfo().username}`

/**
 * Tells running routers that commands changed (over Redis when configured); without Redis they re-read
 * marketplace commands within 5 s on their own.
 */
export async function announceCommandsChanged(settings: Settings): Promise<void> {
  if (!settings.redisUrl) return
  try {
    const cache = await createCache({ redisUrl: settings.redisUrl, namespace: settings.redisPrefix, onError: () => {} })
    try {
      await cache.publish('commands:changed', { module: 'marketplace' })
    } finally {
      await cache.close()
    }
  } catch {
    // The routers re-read within 5 s anyway.
  }
}
