/** Opens the configured database, mapping failures to coded errors (bad URL, unreachable, migration). */
import type { Settings } from './config.js'
import { WaddleError } from './errors.js'
import { createStorage, dialectOf } from './storage/index.js'
import type { MigrationReport, MigrationSet, Storage } from './storage/types.js'

const firstLine = (e: unknown) => ((e as Error).message ?? String(e)).split('\n')[0] ?? 'unknown'

/** A reachable storage for the settings' DATABASE_URL. */
export async function openDatabase(settings: Settings): Promise<Storage> {
  try {
    dialectOf(settings.database.url)
  } catch (error) {
    throw new WaddleError(
      'WB_STORAGE_URL_INVALID',
      { url: settings.database.url.replace(/\/\/[^@/]*@/, '//***@') },
      { cause: error },
    )
  }
  let storage: Storage | undefined
  try {
    storage = await createStorage({
      url: settings.database.url,
      readUrl: settings.database.readUrl,
      cwd: settings.projectDir,
    })
    await storage.ping()
    return storage
  } catch (error) {
    await storage?.close().catch(() => {})
    if (error instanceof WaddleError) throw error
    throw new WaddleError('WB_STORAGE_UNREACHABLE', { reason: firstLine(error) }, { cause: error })
  }
}

/** Applies `sets`; a failure becomes WB_MIGRATION_FAILED naming the migration when it can. */
export async function migrateDatabase(storage: Storage, sets: readonly MigrationSet[]): Promise<MigrationReport> {
  try {
    return await storage.migrate(sets)
  } catch (error) {
    const named = /([a-z][\w-]*)\/(\d{4}[\w-]*)/i.exec(firstLine(error))
    throw new WaddleError(
      'WB_MIGRATION_FAILED',
      { module: named?.[1] ?? '?', id: named?.[2] ?? '?', reason: firstLine(error) },
      { cause: error },
    )
  }
}
