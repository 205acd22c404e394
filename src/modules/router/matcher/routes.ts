/**
 * Admin HTTP API of the string-match rules, registered on the router:
 * `GET /api/v1/admin/stringmatch[?entity_id=]`, `POST /api/v1/admin/stringmatch` (201),
 * `PATCH /api/v1/admin/stringmatch/:id`, `DELETE /api/v1/admin/stringmatch/:id` (204).
 * Admin keys and the service key only, whatever `require_keys` says (these routes change moderation).
 * Errors are answered here (same body as every module server: `{error:{code, message, hint, field?}}`), so
 * the plugin also works on a bare fastify app.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { type AuthOptions, authenticate, requireKey } from '../../../runtime/auth.js'
import type { Cache } from '../../../runtime/cache/types.js'
import { isWaddleError } from '../../../runtime/errors.js'
import type { Queryable } from '../../../runtime/storage/types.js'
import { announceRulesChanged } from './matcher-cache.js'
import { addRule, listRules, removeRule, updateRule } from './rules.js'

const BASE = '/api/v1/admin/stringmatch'

/** What the routes need from the module context. */
export interface StringmatchRoutesContext {
  readonly storage: Queryable
  readonly cache: Cache
}

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/** Sends WaddleErrors with their status and body; anything else goes to the app's error handler. */
function guarded(route: string, auth: AuthOptions, work: Handler): Handler {
  return async (req, reply) => {
    try {
      await authenticate(req, { ...auth, requireKeys: true }, ['admin'], route)
      return await work(req, reply)
    } catch (error) {
      if (!isWaddleError(error)) throw error
      const field = error.code === 'WB_INPUT_INVALID' ? error.params.field : undefined
      return reply
        .code(error.status)
        .send({ error: { ...error.toHttpJSON(), ...(field !== undefined ? { field } : {}) } })
    }
  }
}

/** Route options checking the admin key from the headers, before the body is read (answered like {@link guarded}). */
function keyFirst(route: string, auth: AuthOptions) {
  const check = requireKey({ ...auth, requireKeys: true }, ['admin'], route)
  return {
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        await check(req)
      } catch (error) {
        if (!isWaddleError(error)) throw error
        return reply.code(error.status).send({ error: error.toJSON() })
      }
    },
  }
}

/** Registers the admin string-match routes on `app`. Every change bumps the rules version and publishes it. */
export async function stringmatchRoutes(
  app: FastifyInstance,
  ctx: StringmatchRoutesContext,
  auth: AuthOptions,
): Promise<void> {
  app.get(
    BASE,
    guarded(`GET ${BASE}`, auth, async (req) => {
      const query = (req.query ?? {}) as Record<string, unknown>
      const entityId = typeof query.entity_id === 'string' && query.entity_id !== '' ? query.entity_id : undefined
      return { rules: await listRules(ctx.storage, { entityId }) }
    }),
  )

  app.post(
    BASE,
    keyFirst(`POST ${BASE}`, auth),
    guarded(`POST ${BASE}`, auth, async (req, reply) => {
      const rule = await addRule(ctx.storage, req.body ?? {})
      await announceRulesChanged(ctx.cache)
      return reply.code(201).send(rule)
    }),
  )

  app.patch(
    `${BASE}/:id`,
    keyFirst(`PATCH ${BASE}/:id`, auth),
    guarded(`PATCH ${BASE}/:id`, auth, async (req) => {
      const rule = await updateRule(ctx.storage, (req.params as { id: string }).id, req.body ?? {})
      await announceRulesChanged(ctx.cache)
      return rule
    }),
  )

  app.delete(
    `${BASE}/:id`,
    keyFirst(`DELETE ${BASE}/:id`, auth),
    guarded(`DELETE ${BASE}/:id`, auth, async (req, reply) => {
      await removeRule(ctx.storage, (req.params as { id: string }).id)
      await announceRulesChanged(ctx.cache)
      return reply.code(204).send()
    }),
  )
}
