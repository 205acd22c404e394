/**
 * The coordination API on the router (CONTRACT §4.3). Container calls need a `collector` key (admin keys
 * and the service key pass everywhere); registering entities needs an `admin` key. Every call names its
 * container in the body: nothing here remembers a container id between requests.
 */
import type { FastifyInstance } from 'fastify'
import { type AuthOptions, authenticate, requireKey } from '../../../runtime/auth.js'
import { WaddleError } from '../../../runtime/errors.js'
import type { ModuleContext } from '../../../runtime/module.js'
import { coordinationOptions } from './options.js'
import { claimBody, containerBody, entitiesBody, errorBody, parseBody, releaseBody, statusBody } from './schemas.js'
import { createCoordination, DEFAULT_MAX_CLAIMS } from './store.js'
import type { Coordination, HolderResult } from './types.js'

/** Maps a refused holder-only operation to its coded error (409 not the holder, 404 unknown entity). */
function unwrap<T>(result: HolderResult<T>, containerId: string): T {
  if (result.ok) return result.value
  if (result.reason === 'unknown_entity')
    throw new WaddleError('WB_COORDINATION_ENTITY_UNKNOWN', { entity: result.entity_id })
  throw new WaddleError('WB_COORDINATION_NOT_HOLDER', {
    container: containerId,
    entity: result.entity_id,
    holder: result.held_by ?? 'nobody',
  })
}

/**
 * Registers `/coordination/*` on `app`. Pass `coordination` to share one store with other router code
 * (e.g. the start-up seed); by default one is created from the router settings (see options.ts).
 */
export async function coordinationRoutes(
  app: FastifyInstance,
  ctx: ModuleContext,
  auth: AuthOptions,
  coordination: Coordination = createCoordination(ctx.storage, coordinationOptions(ctx.settings)),
): Promise<void> {
  const { claimTtlMs, checkinIntervalMs } = coordination.timings
  const collector = (route: string) => async (req: Parameters<typeof authenticate>[0]) => {
    await authenticate(req, auth, ['collector'], route)
  }

  app.post('/coordination/claim', { onRequest: collector('POST /coordination/claim') }, async (req) => {
    const body = parseBody(claimBody, req.body)
    const claimed = await coordination.claim(body.platform, body.container_id, body.max_claims ?? DEFAULT_MAX_CLAIMS)
    return {
      container_id: body.container_id,
      platform: body.platform,
      claimed,
      claimed_count: claimed.length,
      claim_ttl_ms: claimTtlMs,
      checkin_interval_ms: checkinIntervalMs,
    }
  })

  app.post('/coordination/checkin', { onRequest: collector('POST /coordination/checkin') }, async (req) => {
    const body = parseBody(containerBody, req.body)
    return { ...(await coordination.checkin(body.container_id)), checkin_interval_ms: checkinIntervalMs }
  })

  app.post('/coordination/heartbeat', { onRequest: collector('POST /coordination/heartbeat') }, async (req) => {
    const body = parseBody(containerBody, req.body)
    const beat = await coordination.heartbeat(body.container_id)
    return { ...beat, claimed_count: beat.entities.length }
  })

  app.post('/coordination/status', { onRequest: collector('POST /coordination/status') }, async (req) => {
    const { container_id, entity_id, ...update } = parseBody(statusBody, req.body)
    return { entity: unwrap(await coordination.status(container_id, entity_id, update), container_id) }
  })

  app.post('/coordination/error', { onRequest: collector('POST /coordination/error') }, async (req) => {
    const body = parseBody(errorBody, req.body)
    return unwrap(await coordination.error(body.container_id, body.entity_id, body.error_message), body.container_id)
  })

  app.post('/coordination/release', { onRequest: collector('POST /coordination/release') }, async (req) => {
    const body = parseBody(releaseBody, req.body)
    return coordination.release(body.container_id, body.entity_ids)
  })

  app.post(
    '/coordination/release-offline',
    { onRequest: collector('POST /coordination/release-offline') },
    async (req) => {
      const body = parseBody(containerBody, req.body)
      return coordination.releaseOffline(body.container_id)
    },
  )

  app.get('/coordination/stats', { onRequest: collector('GET /coordination/stats') }, async () => coordination.stats())

  app.post(
    '/coordination/entities',
    { onRequest: requireKey(auth, ['admin'], 'POST /coordination/entities') },
    async (req) => {
      await authenticate(req, auth, ['admin'], 'POST /coordination/entities')
      const body = parseBody(entitiesBody, req.body)
      const result = await coordination.upsertEntities(body.platform, body.entities, {
        resetErrors: body.reset_errors === true,
      })
      return { platform: body.platform, ...result }
    },
  )
}
