/**
 * REST routes of the community module (port 8045; admin key or the service key): communities, their
 * channels and members, the activity feed and the audit log. Writes are audited with the key as the actor.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { activityOf, auditOf } from './audit.js'
import { announceEntity } from './notify.js'
import { addEntity, createCommunity, entitiesOf, listCommunities, membersOf, requireCommunity } from './store.js'

const createSchema = z.object({ name: z.string().min(1).max(64) })
const entitySchema = z.object({ entity_id: z.string().min(1).max(800) })

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
}

export async function communityRoutes(app: FastifyInstance, ctx: ModuleContext<unknown, undefined>): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (label: string) => ({ onRequest: requireKey(auth, ['admin'], label) })
  const actor = async (req: FastifyRequest, label: string) => {
    const caller = await authenticate(req, auth, ['admin'], label)
    return caller.keyId ? `key:${caller.keyId}` : caller.scope
  }

  app.get('/api/v1/communities', guard('GET /api/v1/communities'), async () => ({
    communities: await listCommunities(ctx.storage),
  }))
  app.post('/api/v1/communities', guard('POST /api/v1/communities'), async (req, reply) => {
    const body = parse(createSchema, req.body)
    const c = await createCommunity(ctx.storage, {
      name: body.name,
      actor: await actor(req, 'POST /api/v1/communities'),
    })
    return reply.code(201).send(c)
  })
  app.get<{ Params: { id: string } }>('/api/v1/communities/:id', guard('GET /api/v1/communities/:id'), async (req) => {
    const c = await requireCommunity(ctx.storage, req.params.id)
    return { ...c, entities: await entitiesOf(ctx.storage, c.id), members: await membersOf(ctx.storage, c.id) }
  })
  app.post<{ Params: { id: string } }>(
    '/api/v1/communities/:id/entities',
    guard('POST /api/v1/communities/:id/entities'),
    async (req, reply) => {
      const body = parse(entitySchema, req.body)
      const who = await actor(req, 'POST /api/v1/communities/:id/entities')
      const done = await addEntity(ctx.storage, { community: req.params.id, entityId: body.entity_id, actor: who })
      await announceEntity(ctx.cache, body.entity_id)
      return reply
        .code(201)
        .send({ community_id: done.community.id, entity_id: done.entity_id, previous: done.previous })
    },
  )
  app.get<{ Params: { id: string } }>(
    '/api/v1/communities/:id/activity',
    guard('GET /api/v1/communities/:id/activity'),
    async (req) => {
      const c = await requireCommunity(ctx.storage, req.params.id)
      return { activity: await activityOf(ctx.storage, c.id) }
    },
  )
  app.get<{ Params: { id: string } }>(
    '/api/v1/communities/:id/audit',
    guard('GET /api/v1/communities/:id/audit'),
    async (req) => {
      const c = await requireCommunity(ctx.storage, req.params.id)
      return { audit: await auditOf(ctx.storage, c.id) }
    },
  )
}
