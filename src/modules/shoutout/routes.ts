/**
 * The REST API on port 8020 (admin API key or the service key): a community's settings, its listed creators,
 * its history, stats and the Twitch shoutouts waiting for Twitch's limits. Bodies and parameters are
 * validated; a 400 names the field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import type { ShoutoutState } from './index.js'
import { type ShoutoutConfig, settingsPatchSchema, TWITCH_LOGIN } from './settings.js'

const community = z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be 1–200 letters, digits or _ . : -')
const login = z
  .string()
  .transform((s) => s.trim().replace(/^@/, '').toLowerCase())
  .pipe(z.string().regex(TWITCH_LOGIN, 'must be a Twitch name: 3–25 letters, digits or _'))
const creatorBody = z
  .object({
    login,
    message: z.string().trim().min(1).max(200).nullable().optional(),
    auto_first_message: z.boolean().optional(),
  })
  .strict()
const historyQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  target: login.optional(),
})

function parse<T>(schema: z.ZodType<T>, value: unknown, within?: string): T {
  const r = schema.safeParse(value ?? {})
  if (r.success) return r.data
  const issue = r.error.issues[0]
  const unknownKey = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined
  const { field, message } = unknownKey ? { field: unknownKey, message: 'is not a known key' } : describeIssue(r.error)
  throw new WaddleError('WB_INPUT_INVALID', {
    field: within && field !== 'body' ? `${within}.${field}` : (within ?? field),
    reason: message,
  })
}

type Req = FastifyRequest
const param = (req: Req, name: string) => (req.params as Record<string, string | undefined>)[name]

export function shoutoutRoutes(app: FastifyInstance, ctx: ModuleContext<ShoutoutConfig, ShoutoutState>): void {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const s = ctx.state
  const base = '/api/v1/shoutout/:community'
  const admin = (route: string) => ({ onRequest: requireKey(auth, ['admin'], route) })
  const cid = (req: Req) => parse(community, param(req, 'community'), 'community')

  app.get(`${base}/config`, admin(`GET ${base}/config`), async (req: Req) => {
    const id = cid(req)
    return { community_id: id, settings: await s.store.settings(id) }
  })
  app.put(`${base}/config`, admin(`PUT ${base}/config`), async (req: Req) => {
    const id = cid(req)
    const patch = Object.entries(parse(settingsPatchSchema, req.body)).filter(([, v]) => v !== undefined)
    const settings = { ...(await s.store.settings(id)), ...Object.fromEntries(patch) }
    await s.store.saveSettings(id, settings, s.now())
    return { community_id: id, settings }
  })
  app.get(`${base}/creators`, admin(`GET ${base}/creators`), async (req: Req) => {
    const id = cid(req)
    return { community_id: id, creators: await s.store.creators(id) }
  })
  app.post(`${base}/creators`, admin(`POST ${base}/creators`), async (req: Req, reply) => {
    const id = cid(req)
    const body = parse(creatorBody, req.body)
    const existing = await s.store.creator(id, body.login)
    const creator = {
      login: body.login,
      message: body.message === undefined ? (existing?.message ?? null) : body.message,
      auto_first_message: body.auto_first_message ?? existing?.auto_first_message ?? true,
      added_by: existing?.added_by ?? 'api',
      created_at: existing?.created_at ?? s.now(),
    }
    await s.store.saveCreator(id, creator)
    return reply.code(existing ? 200 : 201).send({ community_id: id, creator })
  })
  app.delete(`${base}/creators/:login`, admin(`DELETE ${base}/creators/:login`), async (req: Req) => {
    const id = cid(req)
    const who = parse(login, param(req, 'login'), 'login')
    if (!(await s.store.removeCreator(id, who))) throw new WaddleError('WB_NOT_FOUND', { what: `creator ${who}` })
    return { community_id: id, removed: who }
  })
  app.get(`${base}/history`, admin(`GET ${base}/history`), async (req: Req) => {
    const id = cid(req)
    const q = parse(historyQuery, req.query)
    return { community_id: id, history: await s.store.history(id, q.limit, q.target) }
  })
  app.get(`${base}/stats`, admin(`GET ${base}/stats`), async (req: Req) => {
    const id = cid(req)
    const waiting = await s.queue.waiting(id)
    return {
      ...(await s.store.stats(id)),
      twitch_queue: waiting.map((w) => ({ target: w.target_login, not_before: w.not_before, queued_at: w.created_at })),
    }
  })
}
