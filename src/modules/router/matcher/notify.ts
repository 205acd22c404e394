/**
 * Tells running routers that rules changed, from a process that has no cache of its own (the CLI). With
 * Redis configured the change is announced at once; without it the routers notice within their poll
 * interval (RuleMatcher checks the table's fingerprint).
 */
import { createCache } from '../../../runtime/cache/index.js'
import type { Settings } from '../../../runtime/config.js'
import { announceRulesChanged } from './matcher-cache.js'

/** How a change was passed on: announced over Redis, left to polling (no Redis), or failed (reason). */
export type NotifyResult =
  | { readonly via: 'redis'; readonly version: number }
  | { readonly via: 'poll' }
  | { readonly via: 'failed'; readonly reason: string }

/** Announces a rule change over Redis when `settings.redisUrl` is set; never throws. */
export async function notifyRulesChanged(settings: Settings): Promise<NotifyResult> {
  if (!settings.redisUrl) return { via: 'poll' }
  try {
    const cache = await createCache({ redisUrl: settings.redisUrl, namespace: settings.redisPrefix, onError: () => {} })
    try {
      return { via: 'redis', version: await announceRulesChanged(cache) }
    } finally {
      await cache.close()
    }
  } catch (error) {
    return { via: 'failed', reason: (error as Error).message.split('\n')[0] ?? 'unknown' }
  }
}
