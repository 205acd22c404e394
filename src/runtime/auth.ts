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
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Verdicts already reached for a request, per route label: the onRequest check and the handler share one. */
const verdicts = new WeakMap<FastifyRequest, Map<string, Promise<Caller>>>()

/**
 * Checks the caller against the scopes a route accepts (admin and the service key pass everywhere).
 * Throws WB_AUTH_* when keys are required and the request does not qualify. Checked once per request and
 * route label: a second call (the handler after {@link requireKey}) reuses the first verdict.
 */
export function authenticate(
  req: FastifyRequest,
  options: AuthOptions,
  scopes: readonly KeyScope[],
  route: string,
): Promise<Caller> {
  let seen = verdicts.get(req)
  if (seen === undefined) {
    seen = new Map()
    verdicts.set(req, seen)
  }
  let verdict = seen.get(route)
  if (verdict === undefined) {
    verdict = check(req, options, scopes, route)
    seen.set(route, verdict)
  }
  return verdict
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
