/** What the CLI (`waddlebot alias …`) may use of the alias module. */
import { createCache } from '../../runtime/cache/index.js'
import type { Settings } from '../../runtime/config.js'
import { announceChanged } from './store.js'

export { type ImportLine, type ImportParse, parseImport, translateVariables } from './import-file.js'
export { aliasMigrations } from './migrations.js'
export { addAlias, commandOwner, describeAlias, type EditOutcome, editAlias, removeAlias } from './service.js'
export { type AliasRow, getAlias, listAliases } from './store.js'

/**
 * Tells running alias modules that `communityId`'s custom commands changed. With Redis it is announced at
 * once; without Redis (SQLite) the modules notice the database changed on their next lookup. Never throws.
 */
export async function notifyAliasesChanged(
  settings: Settings,
  communityId: string,
): Promise<'redis' | 'database' | 'failed'> {
  if (!settings.redisUrl) return 'database'
  try {
    const cache = await createCache({ redisUrl: settings.redisUrl, namespace: settings.redisPrefix, onError: () => {} })
    try {
      await announceChanged(cache, communityId)
      return 'redis'
    } finally {
      await cache.close()
    }
  } catch {
    return 'failed'
  }
}
