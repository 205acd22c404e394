/**
 * `POST /api/v1/responses`: a module's asynchronous reply to an execution (module scope). The session must
 * exist (1 h TTL) and own the execution; otherwise the reply is rejected and logged. Accepted replies are
 * recorded in module_responses, published on the `responses` channel for collectors, and overlay
 * responses go to browser-source.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { executionResultSchema } from '../../contract/execution.js'
import { responseSchema } from '../../contract/responses.js'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import { DEFAULT_COMMUNITY } from './entities.js'
import type { Pipeline } from './pipeline.js'
import { deliverWhispers } from './whispers.js'

// A late reply has no event to re-enter: platform responses only (no `command`).
const replySchema = executionResultSchema.extend({
  module: z.string().min(1).max(64),
  responses: z.array(responseSchema),
})

export async function responsesRoute(
  app: FastifyInstance,
  ctx: ModuleContext,
  pipeline: Pipeline,
  auth: AuthOptions,
): Promise<void> {
  app.post(
    '/api/v1/responses',
    { onRequest: requireKey(auth, ['module'], 'POST /api/v1/responses') },
    async (req, reply) => {
      await authenticate(req, auth, ['module'], 'POST /api/v1/responses')
      const parsed = replySchema.safeParse(req.body)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
      }
      let body = parsed.data
      const sessionEntity = await pipeline.sessions.entityOf(body.session_id)
      if (!sessionEntity) {
        ctx.log.warn(
          { session: body.session_id, target_module: body.module },
          'reply rejected: unknown or expired session',
        )
        throw new WaddleError('WB_SESSION_UNKNOWN', { session: body.session_id })
      }
      const owner =
        pipeline.executions.pendingSession(body.execution_id) ??
        (
          await ctx.storage.one<{ session_id: string }>(
            sql`select session_id from command_executions where execution_id = ${body.execution_id}`,
          )
        )?.session_id
      if (owner !== body.session_id) {
        ctx.log.warn(
          { session: body.session_id, execution: body.execution_id, target_module: body.module },
          'reply rejected: execution not in session',
        )
        throw new WaddleError('WB_EXECUTION_UNKNOWN', { execution: body.execution_id, session: body.session_id })
      }
      const platform = sessionEntity.split(':')[0] ?? 'local'
      const whispers = await deliverWhispers(ctx.modules, platform, body.responses)
      if (whispers.error)
        ctx.log.warn({ execution: body.execution_id, reason: whispers.error }, 'whisper not delivered')
      body = { ...body, responses: whispers.responses, ...(whispers.error ? { error: whispers.error } : {}) }
      await ctx.storage.execute(sql`insert into module_responses (execution_id, module, success, response_type, response_data, error_message, created_at)
      values (${body.execution_id}, ${body.module}, ${body.success ? 1 : 0}, ${body.responses[0]?.type ?? 'none'},
        ${JSON.stringify(body.responses)}, ${body.error ?? null}, ${Date.now()})`)
      const entity = await ctx.storage.one<{ community_id: string | null }>(
        sql`select community_id from entities where entity_id = ${sessionEntity}`,
      )
      await ctx.cache.publish('responses', {
        entity_id: sessionEntity,
        session_id: body.session_id,
        execution_id: body.execution_id,
        responses: body.responses,
      })
      void pipeline.overlay.forward(
        { entityId: sessionEntity, communityId: entity?.community_id ?? DEFAULT_COMMUNITY },
        body.responses,
      )
      return reply
        .code(202)
        .send({ accepted: true, entity_id: sessionEntity, ...(whispers.error ? { error: whispers.error } : {}) })
    },
  )
}
