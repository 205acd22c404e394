/** Opens the configured database with the core tables migrated, runs `work`, closes it. */
import type { Settings } from '../runtime/config.js'
import { WaddleError } from '../runtime/errors.js'
import { coreMigrations } from '../runtime/storage/core-migrations.js'
import { createStorage } from '../runtime/storage/index.js'
import type { Storage } from '../runtime/storage/types.js'

export async function openStorage(settings: Settings, options: { migrate?: boolean } = {}): Promise<Storage> {
  let storage: Storage
  try {
    storage = await createStorage({ url: settings.database.url, readUrl: settings.database.readUrl, cwd: settings.projectDir })
    await storage.ping()
  } catch (error) {
    if (error instanceof WaddleError) throw error
    throw new WaddleError('WB_STORAGE_UNREACHABLE', { reason: (error as Error).message.split('\n')[0] ?? 'unknown' }, { cause: error })
  }
  if (options.migrate !== false) await storage.migrate([coreMigrations])
  return storage
}

export async function withStorage<T>(settings: Settings, work: (storage: Storage) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const storage = await openStorage(settings, options)
  try {
    return await work(storage)
  } finally {
    await storage.close()
  }
}
