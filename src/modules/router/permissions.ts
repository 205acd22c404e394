/**
 * The role ladder: broadcaster/owner > admin > moderator > vip > subscriber > everyone, from the platform
 * roles carried by the event plus the user's community role in the database (cached for a minute).
 */
import type { Cache } from '../../runtime/cache/types.js'
import { permissionRank, userLevel } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'

export const ROLE_CACHE_TTL_MS = 60_000

export interface PermissionSubject {
  readonly communityId: string
  readonly platform: string
  readonly userId: string
  readonly roles: readonly string[]
  /** The person (identity module): a community role given to any of their accounts applies to all. */
  readonly identityId?: string | undefined
}

/** The cache key of a subject's community role. */
export function roleCacheKey(s: Omit<PermissionSubject, 'roles'>): string {
  return s.identityId ? `perm:${s.communityId}:i:${s.identityId}` : `perm:${s.communityId}:${s.platform}:${s.userId}`
}

export class Permissions {
  constructor(
    private readonly db: Queryable,
    private readonly cache: Cache,
  ) {}

  /**
   * The user's community role ('member' when none), cached: the highest of the rows for this account and,
   * with an identity, for every account of the person (`community_members.user_id` is the identity id).
   */
  async communityRole(s: PermissionSubject): Promise<string> {
    const key = roleCacheKey(s)
    // The cache is only a shortcut: while it is unreachable (Redis down) the database answers alone.
    const cached = await this.cache.get<string>(key).catch(() => undefined)
    if (cached !== undefined) return cached
    const rows = await this.db.query<{ role: string }>(sql`select role from community_members
      where community_id = ${s.communityId}
        and ((platform = ${s.platform} and platform_user_id = ${s.userId}) or user_id = ${s.identityId ?? null})`)
    let role = 'member'
    for (const r of rows) if (userLevel([r.role]) > userLevel([role])) role = r.role
    await this.cache.set(key, role, ROLE_CACHE_TTL_MS).catch(() => {})
    return role
  }

  /** Whether the subject holds `needed` (a PERMISSION_LEVELS name); platform roles are checked first. */
  async allows(s: PermissionSubject, needed: string): Promise<boolean> {
    const rank = permissionRank(needed)
    if (rank === 0 || userLevel(s.roles) >= rank) return true
    return userLevel([await this.communityRole(s)]) >= rank
  }

  /** Forget a cached role after it changes. */
  async invalidate(s: Omit<PermissionSubject, 'roles'>): Promise<void> {
    await this.cache.delete(roleCacheKey(s))
  }
}
