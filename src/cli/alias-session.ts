/** What the `waddlebot alias …` commands share: the database with the alias tables, and the declared commands. */
import { aliasMigrations } from '../modules/alias/public.js'
import type { Settings } from '../runtime/config.js'
import { migrateDatabase } from '../runtime/database.js'
import type { Storage } from '../runtime/storage/types.js'
import { projectRegistry } from './registry.js'
import { withStorage } from './storage-session.js'

/** Runs `work` on the configured database, with the alias module's tables migrated. */
export function withAliasStorage<T>(settings: Settings, work: (storage: Storage) => Promise<T>): Promise<T> {
  return withStorage(settings, async (storage) => {
    await migrateDatabase(storage, [{ module: 'alias', migrations: aliasMigrations }])
    return work(storage)
  })
}

/**
 * Every `!word` the enabled modules declare (names and aliases, word → module), so a custom command cannot
 * shadow one even before the bot has run and registered its commands. A module that fails to load is skipped.
 */
export async function declaredCommands(settings: Settings): Promise<Map<string, string>> {
  const owners = new Map<string, string>()
  for (const entry of projectRegistry(settings).entries) {
    // Collectors declare no chat commands, and loading them (their platform SDKs) is what costs time.
    if (!entry.available || !entry.enabled || entry.kind === 'collector') continue
    const def = await entry.load().catch(() => undefined)
    for (const c of def?.commands ?? []) {
      if ((c.prefix ?? '!') !== '!' || c.name === '*') continue
      for (const word of [c.name, ...(c.aliases ?? [])]) if (!owners.has(word)) owners.set(word, entry.name)
    }
  }
  return owners
}
