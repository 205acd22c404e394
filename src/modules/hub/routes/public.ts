/**
 * Public pages: home numbers, browse public communities, one community with its reputation leaderboard. They
 * read from the read replica when `DATABASE_READ_URL` is set (a public page may lag the primary by the
 * replica's delay); the platform admin's list, which follows the admin's own changes, reads the primary.
 */
import { WaddleError } from '../../../runtime/errors.js'
import { sql } from '../../../runtime/storage/sql.js'
import { forward, q } from './forward.js'
import type { Handlers, HubContext } from './register.js'

interface CommunityRow {
  id: string
  name: string
  display_name: string
  description: string | null
  member_count: number | string
}

const summary = (r: CommunityRow) => ({ ...r, member_count: Number(r.member_count) })

export function communitySummaries(ctx: HubContext, publicOnly: boolean, search?: string) {
  const like = `%${(search ?? '').toLowerCase().replace(/[%_]/g, '')}%`
  const db = publicOnly ? ctx.storage.read() : ctx.storage
  return db
    .query<CommunityRow>(sql`select c.id, c.name, c.display_name, c.description,
      (select count(*) from community_members m where m.community_id = c.id) as member_count
      from communities c where (${publicOnly ? 1 : 0} = 0 or c.is_public = 1)
      and (lower(c.name) like ${like} or lower(c.display_name) like ${like}) order by c.name limit 200`)
    .then((rows) => rows.map(summary))
}

export function publicHandlers(ctx: HubContext): Handlers {
  return {
    'GET /api/v1/public/home': async () => {
      const replica = ctx.storage.read()
      const c = await replica.one<{ n: number | string }>(
        sql`select count(*) as n from communities where is_public = 1`,
      )
      const m = await replica.one<{ n: number | string }>(sql`select count(*) as n from community_members`)
      return { communities: Number(c?.n ?? 0), members: Number(m?.n ?? 0), modules: [...ctx.modules.runnable()] }
    },
    'GET /api/v1/public/communities': async ({ query }) => ({
      communities: await communitySummaries(ctx, true, typeof query.q === 'string' ? query.q.slice(0, 64) : undefined),
    }),
    'GET /api/v1/public/communities/:community': async ({ params }) => {
      const ref = params.community ?? ''
      const [community] = (await communitySummaries(ctx, true)).filter(
        (c) => c.id === ref || c.name.toLowerCase() === ref.toLowerCase(),
      )
      if (!community) throw new WaddleError('WB_NOT_FOUND', { what: `public community ${ref}` })
      let leaderboard: unknown[] = []
      if (ctx.modules.runnable().includes('reputation')) {
        const answer = await forward(
          ctx,
          'reputation',
          'GET',
          `/api/v1/reputation/leaderboard?${q({ community_id: community.id, limit: 25 })}`,
        )
        leaderboard = answer.leaderboard ?? []
      }
      return { community, leaderboard }
    },
  }
}
