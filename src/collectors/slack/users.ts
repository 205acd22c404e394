/**
 * Who a Slack user is: events carry only the user id, so names and workspace roles come from `users.info`
 * (cached 10 min in the shared cache). Without a bot token, or when the lookup fails, the id stands in for
 * the name and the user has no roles.
 */
import type { WebClient } from '@slack/web-api'
import type { Cache } from '../../runtime/cache/types.js'
import type { Logger } from '../../runtime/logger.js'
import type { SlackUser } from './normalize.js'

export const USER_CACHE_TTL_MS = 10 * 60 * 1000

export interface SlackUserDirectory {
  /** The user `userId` of `team`; never throws. `hint` (e.g. a slash command's user_name) fills in a missing name. */
  lookup(team: string, userId: string, hint?: string): Promise<SlackUser>
}

interface UsersInfo {
  user?: {
    id?: string
    name?: string
    real_name?: string
    is_admin?: boolean
    is_owner?: boolean
    is_primary_owner?: boolean
    profile?: { display_name?: string; real_name?: string }
  }
}

/** A directory over `users.info` (client undefined ⇒ ids only). */
export function createUserDirectory(client: WebClient | undefined, cache: Cache, log: Logger): SlackUserDirectory {
  return {
    async lookup(team, userId, hint) {
      const fallback: SlackUser = { id: userId, name: hint ?? userId }
      if (!client) return fallback
      const key = `slack:user:${team}:${userId}`
      const cached = await cache.get<SlackUser>(key).catch(() => undefined)
      if (cached) return cached
      try {
        const res = (await client.users.info({ user: userId })) as UsersInfo
        const u = res.user
        if (!u) return fallback
        const display = u.profile?.display_name || u.profile?.real_name || u.real_name
        const user: SlackUser = {
          id: userId,
          name: u.name || hint || userId,
          ...(display ? { displayName: display } : {}),
          ...(u.is_owner || u.is_primary_owner ? { isOwner: true } : {}),
          ...(u.is_admin ? { isAdmin: true } : {}),
        }
        await cache.set(key, user, USER_CACHE_TTL_MS).catch(() => {})
        return user
      } catch (err) {
        log.debug({ err, user: userId }, 'users.info failed; using the id as the name')
        return fallback
      }
    },
  }
}
