/** Platform admin API: every community, user and module, platform admins, system health, the whole audit log. */
import { WaddleError } from '../../../runtime/errors.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Queryable } from '../../../runtime/storage/types.js'
import type { Caller } from '../guard.js'
import type { Session } from '../sessions.js'
import { writeAudit } from '../audit.js'
import { accountsOf, findUser } from '../users.js'
import { auditEntries } from './community.js'
import { communitySummaries } from './public.js'
import type { Handlers, HubContext } from './register.js'

const HEALTH_TIMEOUT_MS = 2000

async function probe(ctx: HubContext, module: string) {
  const url = ctx.modules.url(module)
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
    const body = (await res.json().catch(() => ({}))) as { status?: string; detail?: unknown; failing?: unknown }
    const metrics = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '')
    return {
      module,
      url,
      status: res.ok ? (body.status === 'degraded' ? 'degraded' : 'ok') : 'degraded',
      detail: body.detail ?? body.failing,
      metrics_lines: metrics.split('\n').filter((l) => l && !l.startsWith('#')).length,
    } as const
  } catch (error) {
    return { module, url, status: 'down', detail: (error as Error).message } as const
  }
}

const actor = (c: Caller) => `hub:${(c.session as Session).user_id}`

export function platformHandlers(ctx: HubContext): Handlers {
  return {
    'GET /api/v1/platform/communities': async () => ({ communities: await communitySummaries(ctx, false) }),
    'GET /api/v1/platform/users': async ({ query }) => {
      const like = `%${(query.q ?? '').toLowerCase().replace(/[%_]/g, '')}%`
      const ids = await ctx.storage.query<{ identity_id: string }>(sql`select distinct identity_id from identity_links
        where lower(user_name) like ${like} or lower(coalesce(display_name, '')) like ${like} order by identity_id limit 200`)
      return {
        users: await Promise.all(
          ids.map(async (r) => ({ user_id: r.identity_id, identities: await accountsOf(ctx.storage, r.identity_id) })),
        ),
      }
    },
    'GET /api/v1/platform/modules': () => ({
      modules: ctx.modules
        .runnable()
        .map((name) => ({ name, url: ctx.modules.url(name), local: ctx.modules.isLocal(name) })),
    }),
    'GET /api/v1/platform/admins': async () => ({
      admins: await ctx.storage.query(
        sql`select id, user_id, platform, platform_user_id from platform_admins order by id`,
      ),
    }),
    'POST /api/v1/platform/admins': async (call) => {
      const spec = (call.body as { user: string }).user
      const userId = await findUser(ctx.storage, spec)
      if (!userId) throw new WaddleError('WB_HUB_USER_UNKNOWN', { user: spec })
      await grantPlatformAdmin(ctx.storage, userId, actor(call.caller), ctx.state.now())
      await writeAudit(
        ctx.storage,
        {
          actor: actor(call.caller),
          action: 'hub.platform_admin.grant',
          target_type: 'user',
          target_id: userId,
          ip: call.req.ip,
        },
        ctx.state.now(),
      )
      call.reply.code(201)
      return { ok: true }
    },
    'DELETE /api/v1/platform/admins/:id': async (call) => {
      const count = await ctx.storage.one<{ n: number | string }>(sql`select count(*) as n from platform_admins`)
      const row = await ctx.storage.one<{ id: number | string }>(
        sql`select id from platform_admins where cast(id as text) = ${call.params.id ?? ''}`,
      )
      if (!row) throw new WaddleError('WB_NOT_FOUND', { what: `platform admin ${call.params.id}` })
      if (Number(count?.n ?? 0) <= 1) throw new WaddleError('WB_HUB_LAST_ADMIN')
      await ctx.storage.execute(sql`delete from platform_admins where id = ${Number(row.id)}`)
      await writeAudit(
        ctx.storage,
        {
          actor: actor(call.caller),
          action: 'hub.platform_admin.revoke',
          target_type: 'platform_admin',
          target_id: String(row.id),
          ip: call.req.ip,
        },
        ctx.state.now(),
      )
      return { ok: true }
    },
    'GET /api/v1/platform/health': async () => ({
      modules: await Promise.all(ctx.modules.runnable().map((m) => probe(ctx, m))),
    }),
    'GET /api/v1/platform/audit': async () => ({ entries: await auditEntries(ctx) }),
  }
}

/** Makes `userId` a platform admin (idempotent): the row names the user's first account. */
export async function grantPlatformAdmin(db: Queryable, userId: string, grantedBy: string, now: number): Promise<void> {
  const [account] = await accountsOf(db, userId)
  if (!account) throw new WaddleError('WB_HUB_USER_UNKNOWN', { user: userId })
  await db.execute(sql`insert into platform_admins (user_id, platform, platform_user_id, granted_by, created_at)
    values (${userId}, ${account.platform}, ${account.platform_user_id}, ${grantedBy}, ${now})
    on conflict (platform, platform_user_id) do update set user_id = excluded.user_id`)
}
