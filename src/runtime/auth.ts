/** Request authentication shared by every module server: API keys and the service key. */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { type KeyScope, lookupApiKey } from './api-keys.js'
import { WaddleError } from './errors.js'
import type { Queryable } from './storage/types.js'

export interface AuthOptions {
  readonly db: Queryable
  readonly serviceKey: string
  readonly requireKeys: boolean
}

export interface Caller {
  readonly scope: KeyScope | 'service' | 'anonymous'
  readonly keyId?: string
}

/** The key a request carries: `X-API-Key`, `X-Service-Key` or `Authorization: Bearer`. */
export function presentedKey(req: FastifyRequest): string | undefined {
  const h = req.headers
  const direct = h['x-api-key'] ?? h['x-service-key']
  if (typeof direct === 'string' && direct) return direct
  const auth = h.authorization
  if (typeof auth === 'string' && /^bearer /i.test(auth)) return auth.slice(7).trim()
  return undefined
}

function sameSecret(a: string, b: string): boolean {
  // Equal strings have equal lengths; the byte comparison below would tell a length apart as fast.
  if (a.length !== b.length) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The verdict reached for a request, and for which route label: the onRequest check and the handler share it. */
interface Verdict {
  readonly route: string
  readonly caller: Promise<Caller>
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link authenticate}; declared on every module server (`decorateRequest`) so requests keep one shape. */
    authVerdict: Verdict | null
  }
}

/**
 * Checks the caller against the scopes a route accepts (admin and the service key pass everywhere).
 * Throws WB_AUTH_* when keys are required and the request does not qualify. Checked once per request and
 * route label: a second call (the handler after {@link requireKey}) reuses the first verdict. The verdict is
 * kept on the request itself: in a WeakMap keyed by requests, each request's entry outlived it until a
 * collection cleared the table, and was moved to the old generation on the way (docs/performance.md).
 */
export function authenticate(
  req: FastifyRequest,
  options: AuthOptions,
  scopes: readonly KeyScope[],
  route: string,
): Promise<Caller> {
  const seen = req.authVerdict
  if (seen && seen.route === route) return seen.caller
  const caller = check(req, options, scopes, route)
  // A request checked for a second label (no route does this) keeps the latest.
  req.authVerdict = { route, caller }
  return caller
}

/**
 * An `onRequest` hook doing {@link authenticate} from the headers alone, before the body is read: a caller
 * without a valid key is answered (401/403) without the server waiting for, or parsing, its body.
 */
export function requireKey(
  options: AuthOptions,
  scopes: readonly KeyScope[],
  route: string,
): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    await authenticate(req, options, scopes, route)
  }
}

async function check(
  req: FastifyRequest,
  options: AuthOptions,
  scopes: readonly KeyScope[],
  route: string,
): Promise<Caller> {
  const key = presentedKey(req)
  if (key && sameSecret(key, options.serviceKey)) return { scope: 'service' }
  if (!key) {
    if (!options.requireKeys) return { scope: 'anonymous' }
    throw new WaddleError('WB_AUTH_REQUIRED')
  }
  const found = await lookupApiKey(options.db, key)
  if (!found) {
    if (!options.requireKeys) return { scope: 'anonymous' }
    throw new WaddleError('WB_AUTH_INVALID')
  }
  if (found.scope !== 'admin' && !scopes.includes(found.scope)) {
    throw new WaddleError('WB_AUTH_SCOPE', { scope: found.scope, route, needed: scopes.join(' or ') })
  }
  return { scope: found.scope, keyId: found.id }
}
