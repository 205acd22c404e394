/** Opens the configured database with the core tables migrated, runs `work`, closes it. */
import type { Settings } from '../runtime/config.js'
import { migrateDatabase, openDatabase } from '../runtime/database.js'
import { coreMigrations } from '../runtime/storage/core-migrations.js'
import type { Storage } from '../runtime/storage/types.js'

export async function openStorage(settings: Settings, options: { migrate?: boolean } = {}): Promise<Storage> {
  const storage = await openDatabase(settings)
  if (options.migrate !== false) await migrateDatabase(storage, [coreMigrations])
  return storage
}

export async function withStorage<T>(
  settings: Settings,
  work: (storage: Storage) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const storage = await openStorage(settings, options)
  try {
    return await work(storage)
  } finally {
    await storage.close()
  }
}
