/**
 * The reputation REST API on port 8055 (docs/reputation.md): leaderboard, one person's standing, history,
 * settings, and the name lookup the labels module uses. Every route needs a `module`-scope key, an admin
 * key or the service key; queries and bodies are validated and a 4xx names the field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import type { ReputationService } from './service.js'
import { type ReputationConfig, settingsPatchSchema } from './settings.js'

const id = z.string().trim().min(1).max(256)
const limit = (n: number, max: number) => z.coerce.number().int().min(1).max(max).default(n)

const leaderboardQuery = z.object({ community_id: id, limit: limit(10, 100) })
const userQuery = z.object({ community_id: id, subject: id })
const historyQuery = z.object({ community_id: id, subject: id.optional(), limit: limit(50, 500) })
const communityQuery = z.object({ community_id: id })
const settingsBody = settingsPatchSchema.extend({ community_id: id, reset: z.boolean().optional() })
const resolveBody = z.object({ community_id: id, name: z.string().trim().min(1).max(256) })

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {})
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
  }
  return parsed.data
}

export async function reputationRoutes(
  app: FastifyInstance,
  ctx: ModuleContext<ReputationConfig, ReputationService>,
): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (route: string) => ({ onRequest: requireKey(auth, ['module'], route) })
  const check = (req: FastifyRequest, route: string) => authenticate(req, auth, ['module'], route)
  const svc = ctx.state

  app.get('/api/v1/reputation/leaderboard', guard('GET /api/v1/reputation/leaderboard'), async (req) => {
    await check(req, 'GET /api/v1/reputation/leaderboard')
    const q = parse(leaderboardQuery, req.query)
    return { community_id: q.community_id, leaderboard: await svc.leaderboard(q.community_id, q.limit) }
  })

  app.get('/api/v1/reputation/user', guard('GET /api/v1/reputation/user'), async (req) => {
    await check(req, 'GET /api/v1/reputation/user')
    const q = parse(userQuery, req.query)
    return svc.standing(q.community_id, q.subject)
  })

  app.get('/api/v1/reputation/history', guard('GET /api/v1/reputation/history'), async (req) => {
    await check(req, 'GET /api/v1/reputation/history')
    const q = parse(historyQuery, req.query)
    return { history: await svc.history(q.community_id, q.subject, q.limit) }
  })

  app.get('/api/v1/reputation/settings', guard('GET /api/v1/reputation/settings'), async (req) => {
    await check(req, 'GET /api/v1/reputation/settings')
    const q = parse(communityQuery, req.query)
    return svc.settings.get(q.community_id)
  })

  app.put('/api/v1/reputation/settings', guard('PUT /api/v1/reputation/settings'), async (req) => {
    const caller = await check(req, 'PUT /api/v1/reputation/settings')
    const { community_id, reset, ...patch } = parse(settingsBody, req.body)
    return svc.settings.update(community_id, patch, `api:${caller.keyId ?? caller.scope}`, reset ?? false)
  })

  app.post('/api/v1/reputation/resolve', guard('POST /api/v1/reputation/resolve'), async (req) => {
    await check(req, 'POST /api/v1/reputation/resolve')
    const q = parse(resolveBody, req.body)
    const found = await svc.resolve(q.community_id, q.name)
    if (!found) throw new WaddleError('WB_NOT_FOUND', { what: `anyone called ${q.name} in ${q.community_id}` })
    return found
  })
}
