/**
 * Messages to chat that answer no command (a reminder, a timer, a calendar notice):
 * - `POST /api/v1/announcements {module, entity_id, responses}` (module key): the router checks the channel is
 *   one it knows and publishes the responses on the cache's `responses` channel, where the collector holding the
 *   channel delivers them, exactly as an asynchronous command reply (responses-route.ts); overlay responses
 *   go to browser-source.
 * - `GET /api/v1/responses/stream?entity_id=…` (collector key): Server-Sent Events, one `responses` event
 *   `{entity_id, responses}` per message published for that channel. The `local` platform has no collector:
 *   `waddlebot chat` reads this stream so reminders and timers appear in an open chat session.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { responseSchema } from '../../contract/responses.js'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import { DEFAULT_COMMUNITY } from './entities.js'
import type { Pipeline } from './pipeline.js'

const announcementSchema = z.object({
  module: z.string().min(1).max(64),
  entity_id: z.string().min(1).max(800),
  responses: z.array(responseSchema).min(1).max(10),
})

const streamQuerySchema = z.object({ entity_id: z.string().min(1).max(800) })

export async function announcementRoutes(
  app: FastifyInstance,
  ctx: ModuleContext,
  pipeline: Pipeline,
  auth: AuthOptions,
): Promise<void> {
  app.post(
    '/api/v1/announcements',
    { onRequest: requireKey(auth, ['module'], 'POST /api/v1/announcements') },
    async (req, reply) => {
      await authenticate(req, auth, ['module'], 'POST /api/v1/announcements')
      const parsed = announcementSchema.safeParse(req.body)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
      }
      const body = parsed.data
      const entity = await ctx.storage.one<{ community_id: string | null }>(
        sql`select community_id from entities where entity_id = ${body.entity_id}`,
      )
      if (!entity) throw new WaddleError('WB_ENTITY_UNKNOWN', { entity: body.entity_id })
      await ctx.cache.publish('responses', {
        entity_id: body.entity_id,
        module: body.module,
        responses: body.responses,
      })
      void pipeline.overlay.forward(
        { entityId: body.entity_id, communityId: entity.community_id ?? DEFAULT_COMMUNITY },
        body.responses,
      )
      return reply.code(202).send({ accepted: true, entity_id: body.entity_id })
    },
  )

  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end()
  })

  app.get(
    '/api/v1/responses/stream',
    { onRequest: requireKey(auth, ['collector'], 'GET /api/v1/responses/stream') },
    async (req, reply) => {
      await authenticate(req, auth, ['collector'], 'GET /api/v1/responses/stream')
      const parsed = streamQuerySchema.safeParse(req.query)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
      }
      const entityId = parsed.data.entity_id
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      res.write(': connected\n\n')
      let unsubscribe: (() => Promise<void>) | undefined
      let ended = false
      const end = () => {
        if (ended) return
        ended = true
        streams.delete(end)
        clearInterval(ping)
        void unsubscribe?.().catch(() => {})
        res.end()
      }
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
      streams.add(end)
      req.raw.once('close', end)
      res.once('close', end)
      unsubscribe = await ctx.cache.subscribe('responses', (message) => {
        const m = message as { entity_id?: unknown; responses?: unknown } | null
        if (ended || !m || m.entity_id !== entityId || !Array.isArray(m.responses)) return
        if (res.writableLength > 1024 * 1024) return end() // a client that stopped reading
        res.write(`event: responses\ndata: ${JSON.stringify({ entity_id: entityId, responses: m.responses })}\n\n`)
      })
      if (ended) await unsubscribe()
    },
  )
}
