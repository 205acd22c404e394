/**
 * Tells running routers that entities changed community, and forgets cached community roles. In a bot
 * process the module's cache does it at once (Redis carries it to every replica); from the CLI it is
 * announced over Redis when configured, else the routers re-read within a minute (entities.ts).
 */
import { createCache } from '../../runtime/cache/index.js'
import type { Cache } from '../../runtime/cache/types.js'
import type { Settings } from '../../runtime/config.js'
import { ENTITIES_CHANGED, roleCacheKey } from '../router/public.js'
import type { Member } from './store.js'

export async function announceEntity(cache: Cache, entityId?: string): Promise<void> {
  await cache.publish(ENTITIES_CHANGED, entityId ? { entity_id: entityId } : {})
}

/** Drops the cached role of a member's account and of their identity. */
export async function forgetRole(
  cache: Cache,
  communityId: string,
  m: Pick<Member, 'platform' | 'platform_user_id' | 'user_id'>,
): Promise<void> {
  await cache.delete(roleCacheKey({ communityId, platform: m.platform, userId: m.platform_user_id }))
  if (m.user_id)
    await cache.delete(
      roleCacheKey({ communityId, platform: m.platform, userId: m.platform_user_id, identityId: m.user_id }),
    )
}

/** From a process without a cache of its own (the CLI): 'redis' when announced, 'poll' without Redis. */
export async function notifyEntitiesChanged(
  settings: Settings,
  entityId?: string,
): Promise<'redis' | 'poll' | 'failed'> {
  if (!settings.redisUrl) return 'poll'
  try {
    const cache = await createCache({ redisUrl: settings.redisUrl, namespace: settings.redisPrefix, onError: () => {} })
    try {
      await announceEntity(cache, entityId)
      return 'redis'
    } finally {
      await cache.close()
    }
  } catch {
    return 'failed'
  }
}
