/**
 * Community admin API (moderator / admin / owner of the community in `:community`, checked by the guard):
 * members and roles, moderation rules and the dry run, labels, calendar approvals, commands, aliases,
 * overlays, reputation settings, timers, the audit log. Each reuses the owning module: its public.ts over the
 * shared database where it has one, its REST API (service key) otherwise.
 */
import { entitiesOf, membersOf, setRole } from '../../community/public.js'
import {
  listRules,
  addRule,
  removeRule,
  getRule,
  notifyRulesChanged,
  parseChatLog,
  replayChatLog,
} from '../../router/public.js'
import { WaddleError } from '../../../runtime/errors.js'
import { sql } from '../../../runtime/storage/sql.js'
import { type CommunityRole, OVERLAY_TYPES } from '../api.js'
import { writeAudit } from '../audit.js'
import type { Caller } from '../guard.js'
import type { Session } from '../sessions.js'
import { forward, q } from './forward.js'
import type { Call, Handlers, HubContext } from './register.js'

const cid = (c: Caller) => (c.community as { id: string }).id
const actor = (c: Caller) => `hub:${(c.session as Session).user_id}`

async function entityIds(ctx: HubContext, communityId: string): Promise<string[]> {
  return (await entitiesOf(ctx.storage, communityId)).map((e) => e.entity_id)
}

export function communityHandlers(ctx: HubContext): Handlers {
  const C = '/api/v1/communities/:community'
  const log = (call: Call, action: string, details: unknown) =>
    writeAudit(
      ctx.storage,
      {
        actor: actor(call.caller),
        action,
        target_type: 'community',
        target_id: cid(call.caller),
        details,
        ip: call.req.ip,
      },
      ctx.state.now(),
    )
  const rulesOf = async (communityId: string) => {
    const ids = new Set(await entityIds(ctx, communityId))
    return (await listRules(ctx.storage)).filter((r) => r.entity_id !== null && ids.has(r.entity_id))
  }
  return {
    [`GET ${C}/members`]: async ({ caller }) => ({ members: await membersWithPoints(ctx, cid(caller)) }),
    [`PUT ${C}/members/:platform/:platform_user_id/role`]: async (call) => {
      const { caller, params } = call
      const role = (call.body as { role: CommunityRole }).role
      const member = (await membersOf(ctx.storage, cid(caller))).find(
        (m) => m.platform === params.platform && m.platform_user_id === params.platform_user_id,
      )
      if (!member)
        throw new WaddleError('WB_NOT_FOUND', { what: `member ${params.platform}:${params.platform_user_id}` })
      const mine = caller.platformAdmin ? 'owner' : caller.community?.role
      // Only the owner (or a platform admin) grants or takes away admin and owner.
      if (
        mine !== 'owner' &&
        (role === 'admin' || role === 'owner' || member.role === 'admin' || member.role === 'owner')
      )
        throw new WaddleError('WB_HUB_FORBIDDEN', {
          route: 'granting admin or owner',
          needed: 'owner',
          role: mine ?? 'none',
        })
      await setRole(ctx.storage, { communityId: cid(caller), member, role, actor: actor(caller) })
      return (await membersWithPoints(ctx, cid(caller))).find(
        (m) => m.platform === member.platform && m.platform_user_id === member.platform_user_id,
      )
    },

    [`GET ${C}/moderation/rules`]: async ({ caller }) => ({ rules: await rulesOf(cid(caller)) }),
    [`POST ${C}/moderation/rules`]: async (call) => {
      const body = call.body as Record<string, unknown> & { entity_id?: string }
      const ids = await entityIds(ctx, cid(call.caller))
      const entity = body.entity_id ?? (ids.length === 1 ? ids[0] : undefined)
      if (!entity || !ids.includes(entity))
        throw new WaddleError('WB_INPUT_INVALID', {
          field: 'entity_id',
          reason: `one of this community's entities: ${ids.join(', ') || 'none yet'}`,
        })
      const rule = await addRule(ctx.storage, { ...body, entity_id: entity })
      await notifyRulesChanged(ctx.settings)
      await log(call, 'hub.moderation.rule_add', { id: rule.id, pattern: rule.pattern, entity_id: entity })
      call.reply.code(201)
      return rule
    },
    [`DELETE ${C}/moderation/rules/:id`]: async (call) => {
      const rule = await getRule(ctx.storage, call.params.id ?? '').catch(() => undefined)
      const ids = await entityIds(ctx, cid(call.caller))
      if (!rule || rule.entity_id === null || !ids.includes(rule.entity_id))
        throw new WaddleError('WB_NOT_FOUND', { what: `rule ${call.params.id} of this community` })
      await removeRule(ctx.storage, rule.id)
      await notifyRulesChanged(ctx.settings)
      await log(call, 'hub.moderation.rule_remove', { id: rule.id })
      return { ok: true }
    },
    [`POST ${C}/moderation/dry-run`]: async ({ caller, body }) => {
      const rules = (await rulesOf(cid(caller))).map((r) => ({ ...r, entity_id: null }))
      const report = replayChatLog(rules, parseChatLog((body as { log: string }).log))
      return report
    },

    [`GET ${C}/labels`]: async ({ caller, query }) => {
      if (query.target_type && query.target_id) {
        const out = await forward(
          ctx,
          'labels',
          'GET',
          `/api/v1/labels?${q({ community_id: cid(caller), target_type: query.target_type, target_id: query.target_id })}`,
        )
        return {
          labels: (out.labels as (string | { label: string })[]).map((l) =>
            typeof l === 'string' ? { label: l, target_type: query.target_type, target_id: query.target_id } : l,
          ),
        }
      }
      const out = await forward(
        ctx,
        'labels',
        'GET',
        `/api/v1/labels/search?${q({ community_id: cid(caller), label: query.label ?? '' })}`,
      )
      return { labels: out.targets ?? [] }
    },
    [`POST ${C}/labels`]: async (call) => {
      const body = { ...(call.body as object), community_id: cid(call.caller) }
      await forward(ctx, 'labels', 'POST', '/api/v1/labels', { ...body, applied_by: actor(call.caller) })
      await log(call, 'hub.label.add', body)
      call.reply.code(201)
      return call.body
    },
    [`DELETE ${C}/labels`]: async (call) => {
      const body = { ...(call.body as object), community_id: cid(call.caller) }
      await forward(ctx, 'labels', 'DELETE', '/api/v1/labels', body)
      await log(call, 'hub.label.remove', body)
      return { ok: true }
    },

    [`GET ${C}/calendar/pending`]: async ({ caller }) =>
      forward(ctx, 'calendar', 'GET', `/api/v1/calendar/${encodeURIComponent(cid(caller))}/events?status=pending`),
    [`POST ${C}/calendar/:event/approve`]: (call) => decide(ctx, call, 'approve', log),
    [`POST ${C}/calendar/:event/reject`]: (call) => decide(ctx, call, 'reject', log),

    [`GET ${C}/commands`]: async ({ caller }) => ({ commands: await commandsOf(ctx, cid(caller)) }),
    [`PATCH ${C}/commands/:name`]: async (call) => {
      const patch = call.body as { enabled?: boolean; cooldown_ms?: number | null; permission?: string | null }
      const name = call.params.name ?? ''
      const command = /^[!#]/.test(name) ? name : `!${name}`
      await forward(ctx, 'router', 'PUT', '/api/v1/admin/commands/overrides', {
        command,
        community_id: cid(call.caller),
        ...(patch.enabled === undefined ? {} : { is_enabled: patch.enabled }),
        ...(patch.cooldown_ms === undefined ? {} : { cooldown_ms: patch.cooldown_ms }),
        ...(patch.permission === undefined ? {} : { permission_level: patch.permission }),
      })
      await log(call, 'hub.command.override', { command, ...patch })
      return (await commandsOf(ctx, cid(call.caller))).find((c) => c.name === command)
    },

    [`GET ${C}/aliases`]: async ({ caller }) =>
      forward(ctx, 'alias', 'GET', `/api/v1/aliases?${q({ community_id: cid(caller) })}`),
    [`POST ${C}/aliases`]: async (call) => {
      const out = await forward(ctx, 'alias', 'POST', '/api/v1/aliases', {
        ...(call.body as object),
        community_id: cid(call.caller),
      })
      await log(call, 'hub.alias.add', call.body)
      call.reply.code(201)
      return out
    },
    [`PUT ${C}/aliases/:name`]: async (call) => {
      const path = `/api/v1/aliases/${encodeURIComponent(call.params.name ?? '')}?${q({ community_id: cid(call.caller) })}`
      const out = await forward(ctx, 'alias', 'PATCH', path, {
        ...(call.body as object),
        community_id: cid(call.caller),
      })
      await log(call, 'hub.alias.edit', { name: call.params.name, ...(call.body as object) })
      return out
    },
    [`DELETE ${C}/aliases/:name`]: async (call) => {
      const path = `/api/v1/aliases/${encodeURIComponent(call.params.name ?? '')}?${q({ community_id: cid(call.caller) })}`
      await forward(ctx, 'alias', 'DELETE', path)
      await log(call, 'hub.alias.remove', { name: call.params.name })
      return { ok: true }
    },

    [`GET ${C}/modules`]: () => {
      throw new WaddleError('WB_HUB_MARKETPLACE_UNAVAILABLE')
    },

    [`GET ${C}/overlays`]: async ({ caller }) => {
      const out = await forward(
        ctx,
        'browser-source',
        'GET',
        `/browser/source/urls?${q({ community_id: cid(caller) })}`,
      )
      return { overlays: Object.entries(out.urls as Record<string, string>).map(([type, url]) => ({ type, url })) }
    },
    [`POST ${C}/overlays/:type/rotate`]: async (call) => {
      const type = call.params.type ?? ''
      if (!(OVERLAY_TYPES as readonly string[]).includes(type))
        throw new WaddleError('WB_INPUT_INVALID', { field: 'type', reason: `one of ${OVERLAY_TYPES.join(', ')}` })
      await forward(ctx, 'browser-source', 'POST', '/browser/source/rotate', { community_id: cid(call.caller), type })
      await log(call, 'hub.overlay.rotate', { type })
      const out = await forward(
        ctx,
        'browser-source',
        'GET',
        `/browser/source/urls?${q({ community_id: cid(call.caller) })}`,
      )
      return { type, url: (out.urls as Record<string, string>)[type] }
    },

    [`GET ${C}/reputation/settings`]: async ({ caller }) =>
      forward(ctx, 'reputation', 'GET', `/api/v1/reputation/settings?${q({ community_id: cid(caller) })}`),
    [`PUT ${C}/reputation/settings`]: async (call) => {
      const out = await forward(ctx, 'reputation', 'PUT', '/api/v1/reputation/settings', {
        ...(call.body as object),
        community_id: cid(call.caller),
      })
      await log(call, 'hub.reputation.settings', call.body)
      return out
    },

    [`GET ${C}/timers`]: async ({ caller }) => {
      const ids = new Set(await entityIds(ctx, cid(caller)))
      const out = await forward(ctx, 'memories', 'GET', '/api/v1/memories/timers')
      return {
        timers: (out.timers as { entity_id?: string }[]).filter(
          (t) => t.entity_id !== undefined && ids.has(t.entity_id),
        ),
      }
    },
    [`POST ${C}/timers`]: async (call) => {
      const body = call.body as { entity_id?: string }
      const ids = await entityIds(ctx, cid(call.caller))
      if (!body.entity_id || !ids.includes(body.entity_id))
        throw new WaddleError('WB_INPUT_INVALID', { field: 'entity_id', reason: "one of this community's entities" })
      const out = await forward(ctx, 'memories', 'POST', '/api/v1/memories/timers', {
        ...body,
        community_id: cid(call.caller),
      })
      await log(call, 'hub.timer.add', body)
      call.reply.code(201)
      return out
    },
    [`PATCH ${C}/timers/:id`]: async (call) => {
      await ownTimer(ctx, call)
      const out = await forward(
        ctx,
        'memories',
        'PATCH',
        `/api/v1/memories/timers/${encodeURIComponent(call.params.id ?? '')}`,
        call.body,
      )
      await log(call, 'hub.timer.edit', { id: call.params.id, ...(call.body as object) })
      return out
    },
    [`DELETE ${C}/timers/:id`]: async (call) => {
      await ownTimer(ctx, call)
      await forward(ctx, 'memories', 'DELETE', `/api/v1/memories/timers/${encodeURIComponent(call.params.id ?? '')}`)
      await log(call, 'hub.timer.remove', { id: call.params.id })
      return { ok: true }
    },

    [`GET ${C}/audit`]: async ({ caller }) => ({ entries: await auditEntries(ctx, cid(caller)) }),
  }
}

/** The timer named in the path belongs to an entity of this community (else 404). */
async function ownTimer(ctx: HubContext, call: Call): Promise<void> {
  const ids = new Set(await entityIds(ctx, cid(call.caller)))
  const out = await forward(ctx, 'memories', 'GET', '/api/v1/memories/timers')
  const timer = (out.timers as { id: unknown; entity_id?: string }[]).find((t) => String(t.id) === call.params.id)
  if (!timer || timer.entity_id === undefined || !ids.has(timer.entity_id))
    throw new WaddleError('WB_NOT_FOUND', { what: `timer ${call.params.id} of this community` })
}

async function decide(
  ctx: HubContext,
  call: Call,
  decision: 'approve' | 'reject',
  log: (call: Call, action: string, details: unknown) => Promise<void>,
): Promise<unknown> {
  const me = await ctx.storage.query<{ user_name: string; display_name: string | null }>(
    sql`select user_name, display_name from identity_links where identity_id = ${(call.caller.session as Session).user_id} limit 1`,
  )
  const by = {
    id: actor(call.caller).slice(0, 128),
    name: (me[0]?.display_name ?? me[0]?.user_name ?? 'hub').slice(0, 64),
  }
  const path = `/api/v1/calendar/${encodeURIComponent(cid(call.caller))}/events/${encodeURIComponent(call.params.event ?? '')}/${decision}`
  const out = await forward(ctx, 'calendar', 'POST', path, { by })
  await log(call, `hub.calendar.${decision}`, { event: call.params.event })
  return out
}

/** Every command with this community's override applied (router's command table and command_permissions). */
async function commandsOf(ctx: HubContext, communityId: string) {
  const commands = (await forward(ctx, 'router', 'GET', '/api/v1/admin/commands')) as {
    name: string
    prefix: string
    module: string
    description: string | null
    cooldown_ms: number | null
    permission_level: string | null
    is_active: number | boolean
  }[]
  const overrides = await ctx.storage.query<{
    name: string
    prefix: string
    is_enabled: number | boolean
    permission_level: string | null
    cooldown_ms: number | string | null
  }>(
    sql`select c.name, c.prefix, p.is_enabled, p.permission_level, p.cooldown_ms from command_permissions p
      join commands c on c.id = p.command_id where p.community_id = ${communityId} and p.entity_id is null`,
  )
  const byName = new Map(overrides.map((o) => [`${o.prefix}${o.name}`, o]))
  return commands.map((c) => {
    const o = byName.get(`${c.prefix}${c.name}`)
    const cooldown = o?.cooldown_ms ?? c.cooldown_ms
    return {
      name: `${c.prefix}${c.name}`,
      module: c.module,
      summary: c.description ?? '',
      enabled: o ? Boolean(Number(o.is_enabled)) : Boolean(Number(c.is_active)),
      cooldown_ms: cooldown === null || cooldown === undefined ? null : Number(cooldown),
      permission: o?.permission_level ?? c.permission_level ?? null,
    }
  })
}

/** The members of a community with their role and reputation (community_members). */
async function membersWithPoints(ctx: HubContext, communityId: string) {
  const rows = await ctx.storage.query<{
    platform: string
    platform_user_id: string
    user_id: string | null
    display_name: string | null
    role: string
    reputation: number | string
    joined_at: number | string
  }>(sql`select platform, platform_user_id, user_id, display_name, role, reputation, joined_at from community_members
    where community_id = ${communityId} order by display_name, platform, platform_user_id`)
  return rows.map((r) => ({ ...r, reputation: Number(r.reputation), joined_at: Number(r.joined_at) }))
}

export async function auditEntries(ctx: HubContext, communityId?: string) {
  const rows = await ctx.storage.query<{
    id: number | string
    actor: string
    action: string
    target_type: string | null
    target_id: string | null
    details: string
    created_at: number | string
  }>(
    communityId === undefined
      ? sql`select id, actor, action, target_type, target_id, details, created_at from audit_log order by created_at desc, id desc limit 500`
      : sql`select id, actor, action, target_type, target_id, details, created_at from audit_log
          where target_type = 'community' and target_id = ${communityId} order by created_at desc, id desc limit 500`,
  )
  return rows.map((r) => {
    let details: unknown = r.details
    try {
      details = JSON.parse(r.details)
    } catch {}
    return { ...r, details, created_at: Number(r.created_at) }
  })
}
