/** The member dashboard: me, my communities (role and reputation), unlinking one of my accounts. */
import { WaddleError } from '../../../runtime/errors.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Session } from '../sessions.js'
import { accountsOf, unlinkAccount } from '../users.js'
import { meOf } from './auth.js'
import type { Handlers, HubContext } from './register.js'

export function memberHandlers(ctx: HubContext): Handlers {
  return {
    'GET /api/v1/me': ({ caller }) => meOf(ctx, caller.session as Session),
    'GET /api/v1/me/communities': async ({ caller }) => {
      const userId = (caller.session as Session).user_id
      const rows = await ctx.storage.query<{
        id: string
        name: string
        display_name: string
        description: string | null
        role: string
        reputation: number | string
        member_count: number | string
      }>(sql`select c.id, c.name, c.display_name, c.description, m.role, m.reputation,
        (select count(*) from community_members x where x.community_id = c.id) as member_count
        from community_members m join communities c on c.id = m.community_id
        where m.user_id = ${userId} or exists (select 1 from identity_links l where l.identity_id = ${userId}
          and l.platform = m.platform and l.platform_user_id = m.platform_user_id)
        order by c.name`)
      const rank = ['member', 'moderator', 'admin', 'owner']
      const best = new Map<string, (typeof rows)[number]>()
      for (const r of rows) {
        const seen = best.get(r.id)
        if (!seen || rank.indexOf(r.role) > rank.indexOf(seen.role)) best.set(r.id, r)
      }
      return {
        communities: [...best.values()].map((r) => ({
          ...r,
          reputation: Number(r.reputation),
          member_count: Number(r.member_count),
        })),
      }
    },
    'DELETE /api/v1/me/identities/:platform/:platform_user_id': async ({ caller, params }) => {
      const userId = (caller.session as Session).user_id
      const ok = await unlinkAccount(
        ctx.storage,
        ctx.cache,
        userId,
        params.platform ?? '',
        params.platform_user_id ?? '',
        ctx.state.now(),
      )
      if (!ok)
        throw new WaddleError('WB_NOT_FOUND', {
          what: `a linked account ${params.platform}:${params.platform_user_id} besides your last one`,
        })
      return { identities: await accountsOf(ctx.storage, userId) }
    },
  }
}
