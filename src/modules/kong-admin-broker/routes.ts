/**
 * The broker's API on port 8080 (docs/kong.md), admin key or service key only:
 * - `GET /api/v1/kong/status`: whether keys are mirrored, where to, and the last pass's counts and error;
 * - `POST /api/v1/kong/reconcile` (body `{}` or none): runs a pass now and answers its counts
 *   (502 WB_KONG_ADMIN_FAILED when Kong does not answer, 409 WB_KONG_MIRROR_OFF when mirroring is off).
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import type { Broker } from './broker.js'
import type { BrokerConfig } from './settings.js'

const reconcileBody = z.object({}).strict()

export async function brokerRoutes(app: FastifyInstance, ctx: ModuleContext<BrokerConfig, Broker>): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (route: string) => ({ onRequest: requireKey(auth, ['admin'], route) })

  app.get('/api/v1/kong/status', guard('GET /api/v1/kong/status'), async (req) => {
    await authenticate(req, auth, ['admin'], 'GET /api/v1/kong/status')
    return ctx.state.status
  })

  app.post('/api/v1/kong/reconcile', guard('POST /api/v1/kong/reconcile'), async (req) => {
    await authenticate(req, auth, ['admin'], 'POST /api/v1/kong/reconcile')
    const parsed = reconcileBody.safeParse(req.body ?? {})
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      if (issue?.code === 'unrecognized_keys')
        throw new WaddleError('WB_INPUT_INVALID', {
          field: String(issue.keys[0]),
          reason: 'is not a field of this body',
        })
      const { field, message } = describeIssue(parsed.error)
      throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
    }
    if (!ctx.state.status.mirroring) throw new WaddleError('WB_KONG_MIRROR_OFF', {})
    const result = await ctx.state.run()
    return { ran: result !== undefined, result: result ?? null }
  })
}
