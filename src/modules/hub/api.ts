/**
 * The hub's HTTP API contract (port 8060): every route with its method, path, the role it needs and the zod
 * schemas of its request and response. The server (routes/*.ts) registers exactly this table and the UI in
 * `hub/` builds against it; test/modules/hub-roles.test.ts walks it to prove every route refuses a caller
 * below its role. docs/hub.md describes it for operators.
 *
 * Conventions:
 * - Session: the httpOnly cookie `wb_session` (a signed token recorded in `hub_sessions`). `Authorization:
 *   Bearer <token>` works too (scripts); a bearer caller needs no CSRF token.
 * - CSRF: every POST/PUT/PATCH/DELETE carries header `x-csrf-token` equal to the `wb_csrf` cookie (double
 *   submit; `GET /api/v1/auth/session` sets the cookie and returns the value). Missing or wrong ⇒ 403
 *   WB_HUB_CSRF.
 * - Errors: `{error: {code, message, hint, field?}}` (docs/errors.md). 401 WB_HUB_LOGIN_REQUIRED without a
 *   session; 403 WB_HUB_FORBIDDEN below the route's role.
 * - Roles, lowest first: public < member (any logged-in user) < moderator < admin < owner (of the community
 *   in `:community`) ; platform_admin passes every check.
 */
import { z } from 'zod'

export const HUB_ROLES = ['public', 'member', 'moderator', 'admin', 'owner', 'platform_admin'] as const
export type HubRole = (typeof HUB_ROLES)[number]
/** Community roles as stored in community_members.role. */
export const COMMUNITY_ROLES = ['member', 'moderator', 'admin', 'owner'] as const
export type CommunityRole = (typeof COMMUNITY_ROLES)[number]
export const OAUTH_PLATFORMS = ['discord', 'twitch', 'slack'] as const
export const OVERLAY_TYPES = ['media', 'ticker', 'general'] as const
export type OAuthPlatform = (typeof OAUTH_PLATFORMS)[number]

// ---- shared shapes -------------------------------------------------------------------------------------

export const accountSchema = z.object({
  platform: z.string(),
  platform_user_id: z.string(),
  user_name: z.string(),
  display_name: z.string().nullable(),
})
export const meSchema = z.object({
  user_id: z.string(),
  display_name: z.string(),
  platform_admin: z.boolean(),
  identities: z.array(accountSchema),
  /** The session's id (hub_sessions.id) and its expiry in epoch ms. */
  session: z.object({ id: z.string(), expires_at: z.number() }),
})
export type Me = z.infer<typeof meSchema>
export const sessionAnswerSchema = z.object({ user: meSchema.nullable(), csrf_token: z.string() })
export const communitySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  display_name: z.string(),
  description: z.string().nullable(),
  member_count: z.number(),
})
/** One row of the reputation leaderboard (reputation module's Standing). */
export const leaderRowSchema = z.object({
  rank: z.number(),
  subject: z.string(),
  name: z.string().nullable(),
  display_name: z.string().nullable(),
  points: z.number(),
})
export const myCommunitySchema = communitySummarySchema.extend({
  role: z.enum(COMMUNITY_ROLES),
  reputation: z.number(),
})
export const memberSchema = z.object({
  platform: z.string(),
  platform_user_id: z.string(),
  user_id: z.string().nullable(),
  display_name: z.string().nullable(),
  role: z.enum(COMMUNITY_ROLES),
  reputation: z.number(),
  joined_at: z.number(),
})
export const commandSchema = z.object({
  name: z.string(),
  module: z.string(),
  summary: z.string(),
  enabled: z.boolean(),
  cooldown_ms: z.number().nullable(),
  permission: z.string().nullable(),
})
export const aliasSchema = z.object({ name: z.string(), response: z.string() }).passthrough()
export const overlaySchema = z.object({ type: z.enum(['media', 'ticker', 'general']), url: z.string() })
export const labelSchema = z.object({ label: z.string(), target_type: z.string(), target_id: z.string() }).passthrough()
export const auditRowSchema = z.object({
  id: z.union([z.string(), z.number()]),
  actor: z.string(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  details: z.unknown(),
  created_at: z.number(),
})
export const timerSchema = z.object({ id: z.union([z.string(), z.number()]) }).passthrough()
export const calendarEventSchema = z.object({ id: z.union([z.string(), z.number()]), title: z.string() }).passthrough()
export const healthRowSchema = z.object({
  module: z.string(),
  url: z.string(),
  status: z.enum(['ok', 'degraded', 'down']),
  detail: z.unknown().optional(),
  metrics_lines: z.number().optional(),
})
export const okSchema = z.object({ ok: z.literal(true) })

// ---- request bodies ------------------------------------------------------------------------------------

export const tempPasswordLoginSchema = z.object({
  /** `platform:user_name` (e.g. `twitch:alice`) or a hub user id (`idn_…`). */
  user: z.string().min(1).max(200),
  password: z.string().min(8).max(200),
})
/** Answer of a temp-password login: a session, or (when OAuth linking is configured) where to link first. */
export const tempPasswordAnswerSchema = z.object({
  user: meSchema,
  csrf_token: z.string(),
  /** Set when the user must link an OAuth account before anything else (hub.require_oauth_link). */
  oauth_required: z.boolean(),
  link_urls: z.array(z.object({ platform: z.enum(OAUTH_PLATFORMS), url: z.string() })),
})
export const commandPatchSchema = z
  .object({
    enabled: z.boolean().optional(),
    cooldown_ms: z.number().int().min(0).max(86_400_000).nullable().optional(),
    permission: z.enum(['everyone', 'subscriber', 'vip', 'moderator', 'admin', 'broadcaster']).nullable().optional(),
  })
  .strict()
export const aliasBodySchema = z.object({ name: z.string().min(1).max(32), response: z.string().min(1).max(500) })
export const aliasPatchSchema = z.object({ response: z.string().min(1).max(500) })
/** A router string-match rule (docs/moderation.md). */
export const ruleSchema = z
  .object({
    id: z.number(),
    pattern: z.string(),
    match_type: z.string(),
    action: z.string(),
    entity_id: z.string().nullable(),
  })
  .passthrough()
export const moderationRulesSchema = z.object({ rules: z.array(ruleSchema) })
/** One new rule (the router validates the rest: match_type, action, response, priority, ...). */
export const ruleBodySchema = z
  .object({
    pattern: z.string().min(1).max(500),
    match_type: z.string().max(16).optional(),
    action: z.string().max(16).optional(),
    /** An entity of this community; absent ⇒ the rule applies to every entity of this community. */
    entity_id: z.string().max(800).optional(),
  })
  .passthrough()
export const dryRunBodySchema = z.object({
  /** A pasted chat log, one message per line: `user: message` (a line without `:` is a message by `someone`). */
  log: z.string().min(1).max(200_000),
})
export const dryRunAnswerSchema = z.object({
  lines: z.number(),
  hits: z.array(
    z.object({ line: z.number(), user: z.string(), message: z.string(), action: z.string(), rule: z.string() }),
  ),
})
export const roleBodySchema = z.object({ role: z.enum(COMMUNITY_ROLES) })
export const labelBodySchema = z.object({
  label: z.string().min(1).max(64),
  target_type: z.enum(['user', 'entity', 'community']),
  target_id: z.string().min(1).max(200),
})
export const reputationSettingsSchema = z.record(z.string(), z.unknown())
export const timerBodySchema = z.record(z.string(), z.unknown())
export const platformAdminBodySchema = z.object({ user: z.string().min(1).max(200) })
export const oauthStartQuerySchema = z.object({
  /** `1`: link this platform to the logged-in user instead of logging in. */
  link: z.enum(['0', '1']).optional(),
  /** Where to send the browser afterwards (a path of this hub, never another host). */
  next: z
    .string()
    .max(200)
    .regex(/^\/(?!\/)[\w\-./?=&%]*$/, 'a path of this hub')
    .optional(),
})
export const oauthCallbackQuerySchema = z.object({
  code: z.string().min(1).max(2000).optional(),
  state: z.string().min(1).max(200),
  error: z.string().max(200).optional(),
})

// ---- the route table -----------------------------------------------------------------------------------

export interface HubRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** fastify path syntax; `:community` is a community id (or name). */
  readonly path: string
  readonly role: HubRole
  readonly summary: string
  readonly body?: z.ZodType
  readonly response?: z.ZodType
}

const r = (
  method: HubRoute['method'],
  path: string,
  role: HubRole,
  summary: string,
  extra: { body?: z.ZodType; response?: z.ZodType } = {},
): HubRoute => ({ method, path, role, summary, ...extra })

const C = '/api/v1/communities/:community'

export const HUB_ROUTES: readonly HubRoute[] = [
  // auth (CONTRACT §7)
  r('GET', '/api/v1/auth/session', 'public', 'who is logged in; sets the CSRF cookie', {
    response: sessionAnswerSchema,
  }),
  r('GET', '/api/v1/auth/providers', 'public', 'OAuth platforms configured', {
    response: z.object({
      providers: z.array(z.object({ platform: z.enum(OAUTH_PLATFORMS), url: z.string() })),
      temp_password: z.boolean(),
    }),
  }),
  r('GET', '/api/v1/auth/oauth/:platform', 'public', 'starts OAuth: 302 to the platform (state + PKCE)'),
  r('GET', '/api/v1/auth/oauth/:platform/callback', 'public', 'OAuth callback: session cookie, 302 to `next`'),
  r('POST', '/api/v1/auth/temp-password', 'public', 'logs in with a one-time password (rate-limited)', {
    body: tempPasswordLoginSchema,
    response: tempPasswordAnswerSchema,
  }),
  r('POST', '/api/v1/auth/refresh', 'member', 'a fresh session token (old one revoked)', {
    response: sessionAnswerSchema,
  }),
  r('POST', '/api/v1/auth/logout', 'member', 'revokes this session', { response: okSchema }),
  r('GET', '/api/v1/auth/sessions', 'member', 'my active sessions', {
    response: z.object({
      sessions: z.array(
        z.object({ id: z.string(), created_at: z.number(), expires_at: z.number(), current: z.boolean() }),
      ),
    }),
  }),
  r('DELETE', '/api/v1/auth/sessions/:id', 'member', 'revokes one of my sessions', { response: okSchema }),

  // public pages
  r('GET', '/api/v1/public/home', 'public', 'home page numbers', {
    response: z.object({ communities: z.number(), members: z.number(), modules: z.array(z.string()) }),
  }),
  r('GET', '/api/v1/public/communities', 'public', 'browse public communities (?q=)', {
    response: z.object({ communities: z.array(communitySummarySchema) }),
  }),
  r('GET', '/api/v1/public/communities/:community', 'public', 'a public community with its leaderboard', {
    response: z.object({ community: communitySummarySchema, leaderboard: z.array(leaderRowSchema) }),
  }),

  // member dashboard
  r('GET', '/api/v1/me', 'member', 'me', { response: meSchema }),
  r('GET', '/api/v1/me/communities', 'member', 'my communities with my role and points', {
    response: z.object({ communities: z.array(myCommunitySchema) }),
  }),
  r('DELETE', '/api/v1/me/identities/:platform/:platform_user_id', 'member', 'unlinks one of my accounts', {
    response: z.object({ identities: z.array(accountSchema) }),
  }),

  // community: moderator
  r('GET', `${C}/members`, 'moderator', 'members and roles', {
    response: z.object({ members: z.array(memberSchema) }),
  }),
  r('GET', `${C}/moderation/rules`, 'moderator', "string-match rules of this community's entities", {
    response: moderationRulesSchema,
  }),
  r('POST', `${C}/moderation/rules`, 'moderator', 'adds a rule', { body: ruleBodySchema, response: ruleSchema }),
  r('DELETE', `${C}/moderation/rules/:id`, 'moderator', 'removes a rule', { response: okSchema }),
  r('POST', `${C}/moderation/dry-run`, 'moderator', 'runs the rules over a pasted chat log (nothing is acted on)', {
    body: dryRunBodySchema,
    response: dryRunAnswerSchema,
  }),
  r('GET', `${C}/labels`, 'moderator', 'labels in this community', {
    response: z.object({ labels: z.array(labelSchema) }),
  }),
  r('POST', `${C}/labels`, 'moderator', 'adds a label', { body: labelBodySchema, response: labelSchema }),
  r('DELETE', `${C}/labels`, 'moderator', 'removes a label', { body: labelBodySchema, response: okSchema }),
  r('GET', `${C}/calendar/pending`, 'moderator', 'events waiting for approval', {
    response: z.object({ events: z.array(calendarEventSchema) }),
  }),
  r('POST', `${C}/calendar/:event/approve`, 'moderator', 'approves an event', {
    response: z.object({ event: calendarEventSchema }).passthrough(),
  }),
  r('POST', `${C}/calendar/:event/reject`, 'moderator', 'rejects an event', {
    response: z.object({ event: calendarEventSchema }).passthrough(),
  }),
  r('GET', `${C}/stream`, 'moderator', 'live responses of this community (Server-Sent Events)'),

  // community: admin
  r('GET', `${C}/commands`, 'admin', 'commands with their overrides', {
    response: z.object({ commands: z.array(commandSchema) }),
  }),
  r('PATCH', `${C}/commands/:name`, 'admin', 'enable/disable, cooldown, permission', {
    body: commandPatchSchema,
    response: commandSchema,
  }),
  r('GET', `${C}/aliases`, 'admin', 'custom commands', { response: z.object({ aliases: z.array(aliasSchema) }) }),
  r('POST', `${C}/aliases`, 'admin', 'adds one', { body: aliasBodySchema, response: aliasSchema }),
  r('PUT', `${C}/aliases/:name`, 'admin', 'edits one', { body: aliasPatchSchema, response: aliasSchema }),
  r('DELETE', `${C}/aliases/:name`, 'admin', 'removes one', { response: okSchema }),
  r('GET', `${C}/modules`, 'admin', 'installed marketplace modules (503 WB_HUB_MARKETPLACE_UNAVAILABLE if absent)'),
  r('GET', `${C}/overlays`, 'admin', 'OBS browser-source URLs', {
    response: z.object({ overlays: z.array(overlaySchema) }),
  }),
  r('POST', `${C}/overlays/:type/rotate`, 'admin', 'rotates an overlay token (old one valid for a grace period)', {
    response: overlaySchema,
  }),
  r('PUT', `${C}/members/:platform/:platform_user_id/role`, 'admin', 'sets a role (only the owner grants admin)', {
    body: roleBodySchema,
    response: memberSchema,
  }),
  r('GET', `${C}/reputation/settings`, 'admin', 'reputation settings', { response: reputationSettingsSchema }),
  r('PUT', `${C}/reputation/settings`, 'admin', 'changes reputation settings', {
    body: reputationSettingsSchema,
    response: reputationSettingsSchema,
  }),
  r('GET', `${C}/timers`, 'admin', 'timers', { response: z.object({ timers: z.array(timerSchema) }) }),
  r('POST', `${C}/timers`, 'admin', 'adds a timer', { body: timerBodySchema, response: timerSchema }),
  r('PATCH', `${C}/timers/:id`, 'admin', 'changes a timer', { body: timerBodySchema, response: timerSchema }),
  r('DELETE', `${C}/timers/:id`, 'admin', 'removes a timer', { response: okSchema }),
  r('GET', `${C}/audit`, 'admin', 'audit log of this community', {
    response: z.object({ entries: z.array(auditRowSchema) }),
  }),

  // platform admin
  r('GET', '/api/v1/platform/communities', 'platform_admin', 'every community', {
    response: z.object({ communities: z.array(communitySummarySchema) }),
  }),
  r('GET', '/api/v1/platform/users', 'platform_admin', 'hub users (?q=)', {
    response: z.object({ users: z.array(z.object({ user_id: z.string(), identities: z.array(accountSchema) })) }),
  }),
  r('GET', '/api/v1/platform/modules', 'platform_admin', 'modules this bot runs', {
    response: z.object({ modules: z.array(z.object({ name: z.string(), url: z.string(), local: z.boolean() })) }),
  }),
  r('GET', '/api/v1/platform/admins', 'platform_admin', 'platform admins', {
    response: z.object({
      admins: z.array(
        z.object({
          id: z.union([z.string(), z.number()]),
          user_id: z.string().nullable(),
          platform: z.string(),
          platform_user_id: z.string(),
        }),
      ),
    }),
  }),
  r('POST', '/api/v1/platform/admins', 'platform_admin', 'grants platform admin', {
    body: platformAdminBodySchema,
    response: okSchema,
  }),
  r('DELETE', '/api/v1/platform/admins/:id', 'platform_admin', 'revokes platform admin (never the last one)', {
    response: okSchema,
  }),
  r('GET', '/api/v1/platform/health', 'platform_admin', "every module's /health and /metrics", {
    response: z.object({ modules: z.array(healthRowSchema) }),
  }),
  r('GET', '/api/v1/platform/audit', 'platform_admin', 'the whole audit log', {
    response: z.object({ entries: z.array(auditRowSchema) }),
  }),
  r('GET', '/api/v1/platform/stream', 'platform_admin', 'live responses of every community (Server-Sent Events)'),
]
