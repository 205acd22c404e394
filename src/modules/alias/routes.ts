/**
 * The alias REST API on port 8010 (admin key or the service key):
 * `GET /api/v1/aliases?community_id=`, `GET /api/v1/aliases/:name`, `POST /api/v1/aliases`,
 * `PATCH /api/v1/aliases/:name`, `DELETE /api/v1/aliases/:name?community_id=`.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import { PERMISSION_LEVELS, type ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { addAlias, type EditOutcome, editAlias, normalizeName, removeAlias } from './service.js'
import { type AliasRow, announceChanged, getAlias, listAliases } from './store.js'
import type { AliasState } from './use.js'

const community = z.string().min(1).max(200).default('default')
const settings = {
  permission_level: z.enum(PERMISSION_LEVELS).optional(),
  cooldown_s: z.number().int().min(0).max(86_400).optional(),
  user_cooldown_s: z.number().int().min(0).max(86_400).optional(),
  enabled: z.boolean().optional(),
}
const createSchema = z.object({ community_id: community, name: z.string(), response: z.string(), ...settings })
const patchSchema = z.object({ community_id: community, response: z.string().optional(), ...settings })

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
  }
  return parsed.data
}

function settled(outcome: EditOutcome, name: string, community: string): AliasRow {
  if (outcome.ok) return outcome.alias
  if (outcome.reason === 'missing') throw new WaddleError('WB_ALIAS_UNKNOWN', { name: normalizeName(name), community })
  if (outcome.reason === 'invalid')
    throw new WaddleError('WB_INPUT_INVALID', { field: 'alias', reason: outcome.message })
  throw new WaddleError('WB_ALIAS_CONFLICT', { name: normalizeName(name), reason: outcome.message })
}

const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000)

export async function aliasRoutes(app: FastifyInstance, ctx: ModuleContext<unknown, AliasState>): Promise<void> {
  const auth = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (route: string) => ({ onRequest: requireKey(auth, [], route) })
  const changed = async (communityId: string) => {
    ctx.state.book.forget(communityId)
    await announceChanged(ctx.cache, communityId)
  }

  app.get<{ Querystring: { community_id?: string } }>('/api/v1/aliases', guard('GET /api/v1/aliases'), async (req) => {
    const id = parse(community, req.query.community_id)
    return { community_id: id, aliases: await listAliases(ctx.storage, id) }
  })

  app.get<{ Params: { name: string }; Querystring: { community_id?: string } }>(
    '/api/v1/aliases/:name',
    guard('GET /api/v1/aliases/:name'),
    async (req) => {
      const id = parse(community, req.query.community_id)
      const alias = await getAlias(ctx.storage, id, normalizeName(req.params.name))
      if (!alias) throw new WaddleError('WB_ALIAS_UNKNOWN', { name: normalizeName(req.params.name), community: id })
      return alias
    },
  )

  app.post('/api/v1/aliases', guard('POST /api/v1/aliases'), async (req, reply) => {
    await authenticate(req, auth, [], 'POST /api/v1/aliases')
    const body = parse(createSchema, req.body ?? {})
    const alias = settled(
      await addAlias(ctx.storage, body.community_id, {
        name: body.name,
        response: body.response,
        created_by: 'api',
        ...(body.permission_level ? { permission_level: body.permission_level } : {}),
        ...(body.cooldown_s !== undefined ? { cooldown_ms: body.cooldown_s * 1000 } : {}),
        ...(body.user_cooldown_s !== undefined ? { user_cooldown_ms: body.user_cooldown_s * 1000 } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      }),
      body.name,
      body.community_id,
    )
    await changed(body.community_id)
    return reply.code(201).send(alias)
  })

  app.patch<{ Params: { name: string } }>(
    '/api/v1/aliases/:name',
    guard('PATCH /api/v1/aliases/:name'),
    async (req) => {
      const body = parse(patchSchema, req.body ?? {})
      const patch = Object.fromEntries(
        Object.entries({
          response: body.response,
          permission_level: body.permission_level,
          cooldown_ms: ms(body.cooldown_s),
          user_cooldown_ms: ms(body.user_cooldown_s),
          enabled: body.enabled,
        }).filter(([, v]) => v !== undefined),
      )
      const alias = settled(
        await editAlias(ctx.storage, body.community_id, req.params.name, patch),
        req.params.name,
        body.community_id,
      )
      await changed(body.community_id)
      return alias
    },
  )

  app.delete<{ Params: { name: string }; Querystring: { community_id?: string } }>(
    '/api/v1/aliases/:name',
    guard('DELETE /api/v1/aliases/:name'),
    async (req) => {
      const id = parse(community, req.query.community_id)
      const removed = await removeAlias(ctx.storage, id, req.params.name)
      if (!removed.ok)
        throw new WaddleError('WB_ALIAS_UNKNOWN', { name: normalizeName(req.params.name), community: id })
      await changed(id)
      return { removed: removed.name, community_id: id }
    },
  )
}
