/**
 * Commands served by targets outside waddlebot's modules (an HTTP container, a signed webhook, AWS Lambda,
 * OpenWhisk) are registered over the admin API: `POST /api/v1/admin/commands` (upsert) and
 * `DELETE /api/v1/admin/commands/:prefix/:name`; `GET /api/v1/admin/commands` lists every command.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import type { Cache } from '../../runtime/cache/types.js'
import { WaddleError } from '../../runtime/errors.js'
import { PERMISSION_LEVELS } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'

export const externalCommandSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be a lower-case word'),
  prefix: z.enum(['!', '#']).default('!'),
  description: z.string().max(200).default(''),
  usage: z.string().max(100).default(''),
  target_type: z.enum(['container', 'webhook', 'lambda', 'openwhisk']),
  location_url: z.string().min(1).max(500),
  timeout_ms: z.number().int().min(100).max(60_000).default(5000),
  rate_limit: z.number().int().min(0).max(10_000).default(0),
  cooldown_ms: z.number().int().min(0).max(86_400_000).default(0),
  permission_level: z.enum(PERMISSION_LEVELS).default('everyone'),
  trigger_type: z.enum(['command', 'event', 'both']).default('command'),
  event_types: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/))
    .max(32)
    .default([]),
  priority: z.number().int().min(0).max(10_000).default(100),
  execution_mode: z.enum(['sequential', 'parallel']).default('sequential'),
})
export type ExternalCommand = z.infer<typeof externalCommandSchema>

/** Upserts an external command; it may not take over a command owned by a module. */
export async function upsertExternalCommand(db: Storage, cache: Cache, input: ExternalCommand): Promise<void> {
  const existing = await db.one<{ module: string; is_active: number }>(
    sql`select module, is_active from commands where prefix = ${input.prefix} and name = ${input.name}`,
  )
  if (existing && existing.module !== 'external' && Number(existing.is_active) === 1) {
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'name',
      reason: `${input.prefix}${input.name} belongs to module ${existing.module}`,
    })
  }
  const now = Date.now()
  await db.execute(sql`insert into commands (name, prefix, module, description, usage, location_url, target_type, timeout_ms, rate_limit,
      cooldown_ms, permission_level, trigger_type, event_types, priority, execution_mode, is_active, aliases, created_at, updated_at)
    values (${input.name}, ${input.prefix}, 'external', ${input.description}, ${input.usage}, ${input.location_url}, ${input.target_type},
      ${input.timeout_ms}, ${input.rate_limit}, ${input.cooldown_ms}, ${input.permission_level}, ${input.trigger_type},
      ${JSON.stringify(input.event_types)}, ${input.priority}, ${input.execution_mode}, 1, '[]', ${now}, ${now})
    on conflict (prefix, name) do update set module = 'external', description = excluded.description, usage = excluded.usage,
      location_url = excluded.location_url, target_type = excluded.target_type, timeout_ms = excluded.timeout_ms,
      rate_limit = excluded.rate_limit, cooldown_ms = excluded.cooldown_ms, permission_level = excluded.permission_level,
      trigger_type = excluded.trigger_type, event_types = excluded.event_types, priority = excluded.priority,
      execution_mode = excluded.execution_mode, is_active = 1, updated_at = excluded.updated_at`)
  await cache.publish('commands:changed', { command: `${input.prefix}${input.name}` })
}

export async function adminCommandRoutes(
  app: FastifyInstance,
  db: Storage,
  cache: Cache,
  auth: AuthOptions,
): Promise<void> {
  app.get('/api/v1/admin/commands', async (req) => {
    await authenticate(req, auth, ['admin'], 'GET /api/v1/admin/commands')
    return db.query(sql`select name, prefix, module, description, usage, target_type, location_url, timeout_ms, rate_limit, cooldown_ms,
      permission_level, trigger_type, event_types, priority, execution_mode, is_active from commands order by prefix, name`)
  })
  app.post(
    '/api/v1/admin/commands',
    { onRequest: requireKey(auth, ['admin'], 'POST /api/v1/admin/commands') },
    async (req, reply) => {
      await authenticate(req, auth, ['admin'], 'POST /api/v1/admin/commands')
      const parsed = externalCommandSchema.safeParse(req.body)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
      }
      await upsertExternalCommand(db, cache, parsed.data)
      return reply
        .code(201)
        .send({ command: `${parsed.data.prefix}${parsed.data.name}`, target_type: parsed.data.target_type })
    },
  )
  app.delete<{ Params: { prefix: string; name: string } }>(
    '/api/v1/admin/commands/:prefix/:name',
    { onRequest: requireKey(auth, ['admin'], 'DELETE /api/v1/admin/commands') },
    async (req, reply) => {
      await authenticate(req, auth, ['admin'], 'DELETE /api/v1/admin/commands')
      const prefix =
        req.params.prefix === 'bang' || req.params.prefix === '!'
          ? '!'
          : req.params.prefix === 'hash' || req.params.prefix === '#'
            ? '#'
            : undefined
      if (!prefix) throw new WaddleError('WB_INPUT_INVALID', { field: 'prefix', reason: 'use bang (!) or hash (#)' })
      const { changes } = await db.execute(sql`update commands set is_active = 0, updated_at = ${Date.now()}
      where prefix = ${prefix} and name = ${req.params.name} and module = 'external' and is_active = 1`)
      await cache.publish('commands:changed', { command: `${prefix}${req.params.name}` })
      return reply.code(changes > 0 ? 204 : 404).send()
    },
  )
}
