/**
 * The ai module's HTTP API on its own port (8005): `GET /api/v1/ai/usage` (admin key or the service key),
 * today's tokens per community with the caps in force, and the last `days` days (1–90, default 7).
 */
import type { FastifyInstance } from 'fastify'
import { type AuthOptions, authenticate } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import type { AiState } from './asker.js'
import { type AiConfig, configFor } from './config.js'
import type { AiUsage } from './public.js'
import { dayOf, usageOn, usageSince } from './usage.js'

const DAY_MS = 24 * 60 * 60_000

export async function aiRoutes(app: FastifyInstance, ctx: ModuleContext<AiConfig, AiState>): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  app.get<{ Querystring: { days?: string; community_id?: string } }>('/api/v1/ai/usage', async (req) => {
    await authenticate(req, auth, [], 'GET /api/v1/ai/usage')
    const days = req.query.days === undefined ? 7 : Number(req.query.days)
    if (!Number.isInteger(days) || days < 1 || days > 90)
      throw new WaddleError('WB_INPUT_INVALID', { field: 'days', reason: 'must be a whole number from 1 to 90' })
    const community = req.query.community_id
    if (community !== undefined && (community === '' || community.length > 256))
      throw new WaddleError('WB_INPUT_INVALID', { field: 'community_id', reason: 'must be 1 to 256 characters' })
    const now = ctx.state.now()
    const today = dayOf(now)
    const rows = (await usageOn(ctx.storage, today)).filter(
      (r) => community === undefined || r.community_id === community,
    )
    const body: AiUsage = {
      provider: ctx.state.provider.name,
      model: ctx.config.model || ctx.settings.env.AI_MODEL || ctx.state.provider.defaultModel,
      day: today,
      today: rows.map((r) => ({
        community_id: r.community_id,
        tokens: r.tokens,
        answers: r.answers,
        daily_token_cap: configFor(ctx.config, r.community_id).daily_token_cap,
      })),
      history: await usageSince(ctx.storage, dayOf(now - (days - 1) * DAY_MS), community),
    }
    return body
  })
}
