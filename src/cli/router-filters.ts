/**
 * What the `waddlebot moderation filters …` and `moderation test` commands share: the database with the
 * router's tables migrated, the settings of a community or channel, and telling running routers about a
 * change (over Redis when configured; otherwise they notice within 15 s).
 */
import {
  announceFiltersChanged,
  type CompiledFilters,
  compiledFor,
  groupRows,
  listFilterRows,
  routerMigrations,
} from '../modules/router/public.js'
import { createCache } from '../runtime/cache/index.js'
import type { Settings } from '../runtime/config.js'
import { migrateDatabase } from '../runtime/database.js'
import { sql } from '../runtime/storage/sql.js'
import type { Queryable, Storage } from '../runtime/storage/types.js'
import { openStorage } from './storage-session.js'

/** Runs `work` on the configured database, with the core and router tables migrated. */
export async function withRouterStorage<T>(settings: Settings, work: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(settings)
  try {
    await migrateDatabase(storage, [{ module: 'router', migrations: routerMigrations }])
    return await work(storage)
  } finally {
    await storage.close()
  }
}

/** The community an entity belongs to ('default' when the router has not seen it). */
export async function communityOf(db: Queryable, entityId: string): Promise<string> {
  const row = await db.one<{ community_id: string | null }>(
    sql`select community_id from entities where entity_id = ${entityId}`,
  )
  return row?.community_id ?? 'default'
}

/** The settings in force for a community, or for one of its channels. */
export async function settingsFor(db: Queryable, communityId: string, entityId = ''): Promise<CompiledFilters> {
  return compiledFor(groupRows(await listFilterRows(db, communityId)), communityId, entityId)
}

/** Announces a change over Redis when `settings.redisUrl` is set; 'poll' otherwise or on failure (never throws). */
export async function notifyFiltersChanged(settings: Settings): Promise<'redis' | 'poll'> {
  if (!settings.redisUrl) return 'poll'
  try {
    const cache = await createCache({ redisUrl: settings.redisUrl, namespace: settings.redisPrefix, onError: () => {} })
    try {
      await announceFiltersChanged(cache)
      return 'redis'
    } finally {
      await cache.close()
    }
  } catch {
    return 'poll'
  }
}
