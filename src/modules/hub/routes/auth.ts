/**
 * Logging in (CONTRACT §7): OAuth with Discord, Twitch and Slack (state kept server-side for 10 min and bound to
 * the browser by a cookie, PKCE where the platform has it), one-time passwords, refresh, logout and revocation.
 * Login attempts are rate-limited per client address (and per user for passwords) on the shared limiter.
 */
import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { WaddleError } from '../../../runtime/errors.js'
import { writeAudit } from '../audit.js'
import {
  type Me,
  OAUTH_PLATFORMS,
  type OAuthPlatform,
  oauthCallbackQuerySchema,
  oauthStartQuerySchema,
} from '../api.js'
import { clearSessionCookie, cookies, ensureCsrf, setCookie, setSessionCookie } from '../guard.js'
import { LINK_REQUIRED, randomToken, type Session } from '../sessions.js'
import { consumeTempPassword } from '../temp-passwords.js'
import { accountsOf, displayName, findUser, isPlatformAdmin, linkAccount, newUserId, userOfAccount } from '../users.js'
import { type HubContext, type Handlers, parseBody } from './register.js'

const STATE_TTL_MS = 10 * 60_000
const OAUTH_COOKIE = 'wb_oauth'

interface PendingLogin {
  platform: OAuthPlatform
  verifier?: string
  link?: string
  session?: string
  next: string
}

export async function meOf(ctx: HubContext, session: Session): Promise<Me> {
  const identities = await accountsOf(ctx.storage, session.user_id)
  return {
    user_id: session.user_id,
    display_name: displayName(identities),
    platform_admin: await isPlatformAdmin(ctx.storage, session.user_id),
    identities,
    session: { id: session.id, expires_at: session.expires_at },
  }
}

async function limitLogin(ctx: HubContext, req: FastifyRequest, reply: FastifyReply, user?: string): Promise<void> {
  const per = ctx.state.config.login_attempts_per_minute
  const windows = [{ key: `hub:login:ip:${req.ip}`, limit: per, windowMs: 60_000 }]
  if (user) windows.push({ key: `hub:login:user:${user.toLowerCase()}`, limit: per, windowMs: 60_000 })
  const verdict = await ctx.state.limiter.hitAll(windows)
  if (!verdict.allowed) {
    const ms = Math.max(...verdict.results.map((r) => r.retryAfterMs))
    reply.header('retry-after', String(Math.ceil(ms / 1000)))
    throw new WaddleError('WB_RATE_LIMITED', { what: 'login attempts', seconds: Math.ceil(ms / 1000) })
  }
}

function platformOf(ctx: HubContext, raw: string | undefined) {
  const platform = (OAUTH_PLATFORMS as readonly string[]).includes(raw ?? '') ? (raw as OAuthPlatform) : undefined
  if (!platform)
    throw new WaddleError('WB_INPUT_INVALID', { field: 'platform', reason: `one of ${OAUTH_PLATFORMS.join(', ')}` })
  const provider = ctx.state.providers.get(platform)
  if (!provider) throw new WaddleError('WB_HUB_OAUTH_UNCONFIGURED', { platform, env: platform.toUpperCase() })
  return provider
}

const redirectUri = (ctx: HubContext, platform: string) =>
  `${ctx.state.publicUrl}/api/v1/auth/oauth/${platform}/callback`

export function authHandlers(ctx: HubContext): Handlers {
  const { state } = ctx
  const client = (req: FastifyRequest) => ({ ip: req.ip, userAgent: String(req.headers['user-agent'] ?? '') })
  return {
    'GET /api/v1/auth/session': async ({ req, reply, caller }) => ({
      user: caller.session ? await meOf(ctx, caller.session) : null,
      csrf_token: ensureCsrf(req, reply, state),
    }),
    'GET /api/v1/auth/providers': () => ({
      providers: [...state.providers.keys()].map((platform) => ({ platform, url: `/api/v1/auth/oauth/${platform}` })),
      temp_password: true,
    }),
    'GET /api/v1/auth/oauth/:platform': async ({ reply, caller, params, query }) => {
      const provider = platformOf(ctx, params.platform)
      const q = parseBody(oauthStartQuerySchema, query)
      if (q.link === '1' && !caller.session) throw new WaddleError('WB_HUB_LOGIN_REQUIRED')
      const stateToken = randomToken()
      const verifier = provider.pkce ? randomToken(48) : undefined
      const challenge = verifier ? createHash('sha256').update(verifier).digest('base64url') : undefined
      const pending: PendingLogin = {
        platform: provider.platform,
        next: q.next ?? '/',
        ...(verifier ? { verifier } : {}),
        ...(q.link === '1' && caller.session ? { link: caller.session.user_id, session: caller.session.id } : {}),
      }
      await ctx.cache.set(`hub:oauth:${stateToken}`, pending, STATE_TTL_MS)
      setCookie(reply, OAUTH_COOKIE, stateToken, {
        httpOnly: true,
        maxAgeS: STATE_TTL_MS / 1000,
        secure: state.secureCookies,
        sameSite: 'Lax',
      })
      return reply
        .code(302)
        .header(
          'location',
          provider.authorizeUrl({ state: stateToken, redirectUri: redirectUri(ctx, provider.platform), challenge }),
        )
        .send()
    },
    'GET /api/v1/auth/oauth/:platform/callback': async ({ req, reply, params, query }) => {
      try {
        await limitLogin(ctx, req, reply)
        const provider = platformOf(ctx, params.platform)
        const q = parseBody(oauthCallbackQuerySchema, query)
        const key = `hub:oauth:${q.state}`
        const pending = await ctx.cache.get<PendingLogin>(key)
        // delete() is true for exactly one caller: a state is good for one callback.
        if (!pending || !(await ctx.cache.delete(key)) || pending.platform !== provider.platform)
          throw new WaddleError('WB_HUB_OAUTH_FAILED', {
            platform: provider.platform,
            reason: 'unknown or expired state',
          })
        if (cookies(req)[OAUTH_COOKIE] !== q.state)
          throw new WaddleError('WB_HUB_OAUTH_FAILED', {
            platform: provider.platform,
            reason: 'the state belongs to another browser',
          })
        if (q.error || !q.code)
          throw new WaddleError('WB_HUB_OAUTH_FAILED', { platform: provider.platform, reason: q.error ?? 'no code' })
        const account = await provider.account({
          code: q.code,
          redirectUri: redirectUri(ctx, provider.platform),
          verifier: pending.verifier,
        })
        const now = state.now()
        setCookie(reply, OAUTH_COOKIE, '', { httpOnly: true, maxAgeS: 0, secure: state.secureCookies, sameSite: 'Lax' })
        if (pending.link && pending.session) {
          await linkAccount(ctx.storage, ctx.cache, pending.link, account, now)
          await state.sessions.linked(pending.session)
          await audit(ctx, pending.link, 'hub.link', `${account.platform}:${account.platform_user_id}`, req.ip)
          return reply.code(302).header('location', pending.next).send()
        }
        let userId = await userOfAccount(ctx.storage, account.platform, account.platform_user_id)
        if (!userId) {
          userId = newUserId()
          await linkAccount(ctx.storage, ctx.cache, userId, account, now)
        }
        const session = await state.sessions.create(userId, `oauth:${provider.platform}`, client(req))
        setSessionCookie(reply, state, session.token, session.expires_at)
        ensureCsrf(req, reply, state)
        await audit(ctx, userId, 'hub.login', `oauth:${provider.platform}`, req.ip)
        return reply.code(302).header('location', pending.next).send()
      } catch (error) {
        if (!(error instanceof WaddleError)) throw error
        ctx.log.info({ code: error.code, reason: error.message }, 'hub OAuth login refused')
        return reply.code(302).header('location', `/login?error=${error.code}`).send()
      }
    },
    'POST /api/v1/auth/temp-password': async ({ req, reply, body }) => {
      const { user, password } = body as { user: string; password: string }
      await limitLogin(ctx, req, reply, user)
      const userId = await findUser(ctx.storage, user)
      if (!userId || !(await consumeTempPassword(ctx.storage, userId, password, state.now()))) {
        await audit(ctx, user, 'hub.login_failed', 'temp-password', req.ip)
        throw new WaddleError('WB_HUB_LOGIN_FAILED')
      }
      const mustLink = state.config.require_oauth_link && state.providers.size > 0
      const session = await state.sessions.create(userId, mustLink ? LINK_REQUIRED : 'temp-password', client(req))
      setSessionCookie(reply, state, session.token, session.expires_at)
      await audit(ctx, userId, 'hub.login', 'temp-password', req.ip)
      return {
        user: await meOf(ctx, session),
        csrf_token: ensureCsrf(req, reply, state),
        oauth_required: mustLink,
        link_urls: mustLink
          ? [...state.providers.keys()].map((platform) => ({ platform, url: `/api/v1/auth/oauth/${platform}?link=1` }))
          : [],
      }
    },
    'POST /api/v1/auth/refresh': async ({ req, reply, caller }) => {
      const old = caller.session as Session
      const session = await state.sessions.create(old.user_id, old.via, client(req))
      await state.sessions.revoke(old.id)
      setSessionCookie(reply, state, session.token, session.expires_at)
      return { user: await meOf(ctx, session), csrf_token: ensureCsrf(req, reply, state) }
    },
    'POST /api/v1/auth/logout': async ({ reply, caller }) => {
      await state.sessions.revoke((caller.session as Session).id)
      clearSessionCookie(reply, state)
      return { ok: true }
    },
    'GET /api/v1/auth/sessions': async ({ caller }) => {
      const me = caller.session as Session
      const list = await state.sessions.list(me.user_id)
      return {
        sessions: list.map((s) => ({
          id: s.id,
          created_at: s.created_at,
          expires_at: s.expires_at,
          current: s.id === me.id,
        })),
      }
    },
    'DELETE /api/v1/auth/sessions/:id': async ({ caller, params }) => {
      if (!(await state.sessions.revoke(params.id ?? '', (caller.session as Session).user_id)))
        throw new WaddleError('WB_NOT_FOUND', { what: `session ${params.id}` })
      return { ok: true }
    },
  }
}

/** One audit_log row of a login or link. */
export function audit(ctx: HubContext, actor: string, action: string, target: string, ip?: string): Promise<void> {
  return writeAudit(ctx.storage, { actor, action, target_type: 'hub', target_id: target, ip }, ctx.state.now())
}
