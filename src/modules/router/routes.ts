/** The router's HTTP surface: `POST /api/v1/events` and `POST /api/v1/events/batch` (CONTRACT §4.1). */
import type { FastifyInstance } from 'fastify'
import { entityIdOf, eventBatchSchema, inboundEventSchema, withoutNul } from '../../contract/events.js'
import type { EventResult } from '../../contract/router.js'
import { describeIssue } from '../../contract/validate.js'
import { authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { adminCommandRoutes } from './admin-commands.js'
import { adminRoutes } from './admin-routes.js'
import { announcementRoutes } from './announcements-route.js'
import { coordinationOptions } from './coordination/options.js'
import { coordinationRoutes } from './coordination/routes.js'
import { seedEntitiesFromSettings } from './coordination/seed.js'
import { createCoordination } from './coordination/store.js'
import { stringmatchRoutes } from './matcher/routes.js'
import type { Pipeline } from './pipeline.js'
import { responsesRoute } from './responses-route.js'
import { streamRoutes } from './stream.js'

export async function routerRoutes(app: FastifyInstance, ctx: ModuleContext, pipeline: Pipeline): Promise<void> {
  const auth = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: ctx.settings.requireKeys }
  await responsesRoute(app, ctx, pipeline, { ...auth, requireKeys: true })
  await announcementRoutes(app, ctx, pipeline, { ...auth, requireKeys: true })
  await adminRoutes(app, ctx.storage, ctx.cache, { ...auth, requireKeys: true })
  await adminCommandRoutes(app, ctx.storage, ctx.cache, { ...auth, requireKeys: true })
  await streamRoutes(app, ctx, pipeline)
  await stringmatchRoutes(app, ctx, { ...auth, requireKeys: true })
  const coordination = createCoordination(ctx.storage, coordinationOptions(ctx.settings))
  const seeded = await seedEntitiesFromSettings(coordination, ctx.settings)
  for (const bad of seeded.invalid) ctx.log.warn(bad, 'coordination: skipped a configured channel')
  await coordinationRoutes(app, ctx, { ...auth, requireKeys: true }, coordination)

  app.post('/api/v1/events', { onRequest: requireKey(auth, ['collector'], 'POST /api/v1/events') }, async (req) => {
    await authenticate(req, auth, ['collector'], 'POST /api/v1/events')
    const parsed = inboundEventSchema.safeParse(req.body)
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error)
      throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
    }
    // Answered only once the execution log holds the event's executions (docs/operators.md, durability).
    const writes: Promise<void>[] = []
    const result = await pipeline.process(withoutNul(parsed.data), writes)
    await pipeline.committed(writes)
    return result
  })

  app.post(
    '/api/v1/events/batch',
    { onRequest: requireKey(auth, ['collector'], 'POST /api/v1/events/batch') },
    async (req) => {
      await authenticate(req, auth, ['collector'], 'POST /api/v1/events/batch')
      const batch = eventBatchSchema.safeParse(req.body)
      if (!batch.success) {
        const { field, message } = describeIssue(batch.error)
        throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
      }
      // One entity's events run one after another, in order; different entities' events run side by side,
      // so a slow module in one channel does not hold up the rest of the batch.
      const results: Promise<EventResult | { error: { code: string; field: string; message: string } }>[] = []
      const writes: Promise<void>[] = []
      const lanes = new Map<string, Promise<unknown>>()
      for (const [i, raw] of batch.data.events.entries()) {
        const parsed = inboundEventSchema.safeParse(raw)
        if (!parsed.success) {
          const { field, message } = describeIssue(parsed.error)
          results.push(Promise.resolve({ error: { code: 'WB_INPUT_INVALID', field: `events.${i}.${field}`, message } }))
          continue
        }
        const event = withoutNul(parsed.data)
        const entity = entityIdOf(event)
        const before = lanes.get(entity)
        const result = before ? before.then(() => pipeline.process(event, writes)) : pipeline.process(event, writes)
        lanes.set(
          entity,
          result.catch(() => undefined),
        )
        results.push(result)
      }
      const answered = await Promise.all(results)
      await pipeline.committed(writes)
      return { results: answered }
    },
  )
}
