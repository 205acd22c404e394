/**
 * The labels REST API on port 8040 (docs/labels.md). Every route needs a `module`-scope key, an admin key or
 * the service key (other modules call it through `ctx.modules.request` with the service key). Bodies and
 * queries are validated; a 4xx names the offending field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { isWaddleError, WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { applySchema, bulkSchema, checkSchema, type LabelsConfig, searchSchema, targetSchema } from './schemas.js'
import type { LabelStore } from './store.js'

function parse<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const parsed = schema.safeParse(value ?? {})
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field: `${prefix}${field}`, reason: message })
  }
  return parsed.data
}

export async function labelsRoutes(app: FastifyInstance, ctx: ModuleContext<LabelsConfig, LabelStore>): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (route: string) => ({ onRequest: requireKey(auth, ['module'], route) })
  const check = (req: FastifyRequest, route: string) => authenticate(req, auth, ['module'], route)
  const store = ctx.state

  app.get('/api/v1/labels', guard('GET /api/v1/labels'), async (req) => {
    await check(req, 'GET /api/v1/labels')
    return { labels: await store.list(parse(targetSchema, req.query)) }
  })

  app.post('/api/v1/labels', guard('POST /api/v1/labels'), async (req, reply) => {
    await check(req, 'POST /api/v1/labels')
    const out = await store.apply(parse(applySchema, req.body))
    return reply.code(out.created ? 201 : 200).send(out)
  })

  app.delete('/api/v1/labels', guard('DELETE /api/v1/labels'), async (req, reply) => {
    await check(req, 'DELETE /api/v1/labels')
    const removed = await store.remove(parse(checkSchema, req.body))
    if (!removed) throw new WaddleError('WB_NOT_FOUND', { what: 'that label on that target' })
    return reply.code(204).send()
  })

  app.post('/api/v1/labels/check', guard('POST /api/v1/labels/check'), async (req) => {
    await check(req, 'POST /api/v1/labels/check')
    return { has: await store.has(parse(checkSchema, req.body)) }
  })

  app.get('/api/v1/labels/search', guard('GET /api/v1/labels/search'), async (req) => {
    await check(req, 'GET /api/v1/labels/search')
    const q = parse(searchSchema, req.query)
    return { targets: await store.search(q) }
  })

  // Bulk apply: each application is validated and applied on its own; one refusal does not stop the rest.
  app.post('/api/v1/labels/apply', guard('POST /api/v1/labels/apply'), async (req) => {
    await check(req, 'POST /api/v1/labels/apply')
    const { applications } = parse(bulkSchema, req.body)
    const results: unknown[] = []
    let applied = 0
    for (const [i, raw] of applications.entries()) {
      try {
        const out = await store.apply(parse(applySchema, raw, `applications.${i}.`))
        applied++
        results.push({ ok: true, ...out })
      } catch (error) {
        if (!isWaddleError(error)) throw error
        const field = error.code === 'WB_INPUT_INVALID' ? { field: error.params.field } : {}
        results.push({ ok: false, error: { ...error.toHttpJSON(), ...field } })
      }
    }
    return { applied, refused: applications.length - applied, results }
  })
}
