/**
 * Who is calling and may they: the session (cookie `wb_session` or `Authorization: Bearer`), the CSRF check on
 * every state-changing request made with the cookie (double submit: header `x-csrf-token` = cookie `wb_csrf`),
 * and the role the route needs (api.ts), checked for every call before the handler runs.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { WaddleError } from '../../runtime/errors.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import { COMMUNITY_ROLES, type CommunityRole, type HubRole, type HubRoute } from './api.js'
import { LINK_REQUIRED, randomToken, type Session } from './sessions.js'
import type { HubState } from './state.js'
import { communityRole, isPlatformAdmin } from './users.js'

export const SESSION_COOKIE = 'wb_session'
export const CSRF_COOKIE = 'wb_csrf'

export interface Caller {
  readonly session: Session | undefined
  /** How the session came: cookie (needs CSRF on writes) or bearer. */
  readonly via: 'cookie' | 'bearer' | 'none'
  readonly platformAdmin: boolean
  /** The community of a `:community` route (its id), and the caller's role in it. */
  readonly community?: { readonly id: string; readonly name: string; readonly role: CommunityRole | undefined }
}

export function cookies(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const key = part.slice(0, eq).trim()
    if (key && !(key in out)) out[key] = decodeURIComponent(part.slice(eq + 1).trim())
  }
  return out
}

export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  o: { httpOnly: boolean; maxAgeS: number; secure: boolean; sameSite: 'Strict' | 'Lax' },
): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', `Max-Age=${o.maxAgeS}`, `SameSite=${o.sameSite}`]
  if (o.httpOnly) parts.push('HttpOnly')
  if (o.secure) parts.push('Secure')
  const prev = reply.getHeader('set-cookie')
  const list = Array.isArray(prev) ? prev : typeof prev === 'string' ? [prev] : []
  reply.header('set-cookie', [...list, parts.join('; ')])
}

/** The CSRF token of this browser, set as a cookie when it has none. */
export function ensureCsrf(req: FastifyRequest, reply: FastifyReply, state: HubState): string {
  const existing = cookies(req)[CSRF_COOKIE]
  if (existing && /^[\w-]{20,100}$/.test(existing)) return existing
  const token = randomToken(24)
  setCookie(reply, CSRF_COOKIE, token, {
    httpOnly: false,
    maxAgeS: 60 * 60 * 24 * 30,
    secure: state.secureCookies,
    sameSite: 'Strict',
  })
  return token
}

export function setSessionCookie(reply: FastifyReply, state: HubState, token: string, expiresAt: number): void {
  const maxAgeS = Math.max(0, Math.floor((expiresAt - state.now()) / 1000))
  setCookie(reply, SESSION_COOKIE, token, { httpOnly: true, maxAgeS, secure: state.secureCookies, sameSite: 'Lax' })
}

export function clearSessionCookie(reply: FastifyReply, state: HubState): void {
  setCookie(reply, SESSION_COOKIE, '', { httpOnly: true, maxAgeS: 0, secure: state.secureCookies, sameSite: 'Lax' })
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  return typeof h === 'string' && /^bearer /i.test(h) ? h.slice(7).trim() : undefined
}

/** The session of this request, if any, and how it came. */
export async function sessionOf(
  req: FastifyRequest,
  state: HubState,
): Promise<{ session?: Session; via: Caller['via'] }> {
  const b = bearer(req)
  if (b) {
    const session = await state.sessions.verify(b)
    return session ? { session, via: 'bearer' } : { via: 'none' }
  }
  const c = cookies(req)[SESSION_COOKIE]
  if (c) {
    const session = await state.sessions.verify(c)
    if (session) return { session, via: 'cookie' }
  }
  return { via: 'none' }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export function checkCsrf(req: FastifyRequest, via: Caller['via']): void {
  if (!MUTATING.has(req.method) || via === 'bearer') return
  const header = req.headers['x-csrf-token']
  const cookie = cookies(req)[CSRF_COOKIE]
  if (typeof header !== 'string' || !cookie) throw new WaddleError('WB_HUB_CSRF')
  const a = Buffer.from(header)
  const b = Buffer.from(cookie)
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new WaddleError('WB_HUB_CSRF')
}

async function findCommunity(db: Queryable, ref: string): Promise<{ id: string; name: string } | undefined> {
  return db.one<{ id: string; name: string }>(
    sql`select id, name from communities where id = ${ref} or lower(name) = ${ref.toLowerCase()}`,
  )
}

const rank = (role: CommunityRole | undefined) => (role === undefined ? -1 : COMMUNITY_ROLES.indexOf(role))

/**
 * Authenticates and authorises one call of `route`: throws WB_HUB_LOGIN_REQUIRED, WB_HUB_CSRF,
 * WB_HUB_FORBIDDEN or WB_NOT_FOUND (unknown community), in that order.
 */
export async function authorize(req: FastifyRequest, route: HubRoute, state: HubState, db: Queryable): Promise<Caller> {
  const { session, via } = await sessionOf(req, state)
  if (route.role === 'public') {
    checkCsrf(req, via)
    return { session, via, platformAdmin: false }
  }
  if (!session) throw new WaddleError('WB_HUB_LOGIN_REQUIRED')
  checkCsrf(req, via)
  if (session.via === LINK_REQUIRED && !route.path.startsWith('/api/v1/auth/') && route.path !== '/api/v1/me')
    throw new WaddleError('WB_HUB_LINK_REQUIRED')
  const platformAdmin = await isPlatformAdmin(db, session.user_id)
  const label = `${route.method} ${route.path}`
  const ref = (req.params as Record<string, string | undefined>).community
  let community: Caller['community']
  if (ref !== undefined) {
    const found = await findCommunity(db, ref)
    if (!found) {
      if (!platformAdmin) throw new WaddleError('WB_HUB_FORBIDDEN', { route: label, needed: route.role, role: 'none' })
      throw new WaddleError('WB_NOT_FOUND', { what: `community ${ref}` })
    }
    community = { ...found, role: await communityRole(db, found.id, session.user_id) }
  }
  const caller: Caller = { session, via, platformAdmin, ...(community ? { community } : {}) }
  if (platformAdmin || route.role === 'member') return caller
  const have = community?.role
  const needed: HubRole = route.role
  if (needed === 'platform_admin' || rank(have) < rank(needed as CommunityRole))
    throw new WaddleError('WB_HUB_FORBIDDEN', { route: label, needed, role: have ?? 'none' })
  return caller
}
