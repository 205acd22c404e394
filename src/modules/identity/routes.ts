/**
 * The identity module's REST routes (port 8050; an admin or module key, or the service key): a person's
 * accounts, and their API keys (create / list / revoke / verify). docs/identity.md.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { accountById, accountsOf } from './accounts.js'
import type { IdentityState } from './state.js'

const createKeySchema = z.object({
  identity_id: z.string().min(1).max(64),
  name: z.string().regex(/^[\w .-]{1,64}$/, 'use 1-64 letters, digits, spaces, dot, dash or underscore'),
  days: z.number().int().min(1).max(3650).optional(),
})
const verifySchema = z.object({ key: z.string().min(1).max(200) })

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
}

export async function identityRoutes(app: FastifyInstance, ctx: ModuleContext<unknown, IdentityState>): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const keys = ctx.state.keys
  const guard = (label: string) => ({ onRequest: requireKey(auth, ['module'], label) })

  app.get<{ Params: { id: string } }>(
    '/api/v1/identity/accounts/:id',
    guard('GET /api/v1/identity/accounts'),
    async (req) => ({ identity_id: req.params.id, accounts: await accountsOf(ctx.storage, req.params.id) }),
  )
  app.get<{ Querystring: { platform?: string; user_id?: string } }>(
    '/api/v1/identity/resolve',
    guard('GET /api/v1/identity/resolve'),
    async (req) => {
      const { platform, user_id } = req.query
      if (!platform) throw new WaddleError('WB_INPUT_INVALID', { field: 'platform', reason: 'is required' })
      if (!user_id) throw new WaddleError('WB_INPUT_INVALID', { field: 'user_id', reason: 'is required' })
      const account = await accountById(ctx.storage, platform, user_id)
      if (!account) throw new WaddleError('WB_NOT_FOUND', { what: `account ${platform}:${user_id}` })
      return { identity_id: account.identity_id, accounts: await accountsOf(ctx.storage, account.identity_id) }
    },
  )
  app.post('/api/v1/identity/keys', guard('POST /api/v1/identity/keys'), async (req, reply) => {
    await authenticate(req, auth, ['module'], 'POST /api/v1/identity/keys')
    const body = parse(createKeySchema, req.body)
    const created = await keys.create(body.identity_id, body.name, body.days)
    return reply.code(201).send(created)
  })
  app.get<{ Querystring: { identity_id?: string } }>(
    '/api/v1/identity/keys',
    guard('GET /api/v1/identity/keys'),
    async (req) => {
      const id = req.query.identity_id
      if (!id) throw new WaddleError('WB_INPUT_INVALID', { field: 'identity_id', reason: 'is required' })
      return { keys: await keys.list(id) }
    },
  )
  app.delete<{ Params: { id: string } }>(
    '/api/v1/identity/keys/:id',
    guard('DELETE /api/v1/identity/keys'),
    async (req) => {
      if (!(await keys.revoke(req.params.id)))
        throw new WaddleError('WB_NOT_FOUND', { what: `active key ${req.params.id}` })
      return { revoked: true, id: req.params.id }
    },
  )
  app.post('/api/v1/identity/keys/verify', guard('POST /api/v1/identity/keys/verify'), async (req) => {
    const body = parse(verifySchema, req.body)
    const found = await keys.verify(body.key)
    if (!found) throw new WaddleError('WB_AUTH_INVALID')
    return found
  })
}
