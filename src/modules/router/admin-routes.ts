/**
 * Admin API of the router for command enablement, permission and limit overrides, per entity or per
 * community: `PUT /api/v1/admin/commands/overrides` and `DELETE` with the same body (admin scope). Each
 * change writes an `audit_log` row (actor: the API key id, or `service`).
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

const overrideSchema = z
  .object({
    command: z.string().regex(/^[!#][a-z0-9][a-z0-9_-]*$/, 'must look like !name or #name'),
    entity_id: z.string().min(1).optional(),
    community_id: z.string().min(1).optional(),
    is_enabled: z.boolean().optional(),
    permission_level: z.enum(PERMISSION_LEVELS).nullable().optional(),
    /** Limits for this scope (null = the command's own). */
    rate_limit: z.number().int().min(0).max(100_000).nullable().optional(),
    cooldown_ms: z.number().int().min(0).max(86_400_000).nullable().optional(),
    entity_rate_limit: z.number().int().min(0).max(100_000).nullable().optional(),
  })
  .refine((b) => (b.entity_id === undefined) !== (b.community_id === undefined), {
    message: 'give exactly one of entity_id or community_id',
    path: ['entity_id'],
  })

export type OverrideInput = z.infer<typeof overrideSchema>

function parse(body: unknown): OverrideInput {
  const parsed = overrideSchema.safeParse(body)
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
  }
  return parsed.data
}

async function commandId(db: Storage, command: string): Promise<number | string> {
  const row = await db.one<{ id: number | string }>(
    sql`select id from commands where prefix = ${command[0]} and name = ${command.slice(1)} and is_active = 1`,
  )
  if (!row) throw new WaddleError('WB_INPUT_INVALID', { field: 'command', reason: `no command ${command}` })
  return row.id
}

/** One audit row for an override change. */
async function auditOverride(db: Storage, actor: string, action: string, input: OverrideInput): Promise<void> {
  const [type, target] = input.entity_id ? ['entity', input.entity_id] : ['community', input.community_id!]
  await db.execute(sql`insert into audit_log (actor, action, target_type, target_id, details, created_at)
    values (${actor}, ${action}, ${type}, ${target}, ${JSON.stringify(input)}, ${Date.now()})`)
}

const LIMIT_COLUMNS = ['rate_limit', 'cooldown_ms', 'entity_rate_limit'] as const

/** Sets (upserts) an override; returns the stored row. */
export async function setOverride(
  db: Storage,
  cache: Cache,
  input: OverrideInput,
  actor = 'service',
): Promise<Record<string, unknown>> {
  const id = await commandId(db, input.command)
  const scope = input.entity_id
    ? sql`entity_id = ${input.entity_id}`
    : sql`entity_id is null and community_id = ${input.community_id!}`
  await db.transaction(async (tx) => {
    const existing = await tx.one(sql`select id from command_permissions where command_id = ${id} and ${scope}`)
    const enabled = input.is_enabled === undefined ? 1 : input.is_enabled ? 1 : 0
    if (existing) {
      await tx.execute(sql`update command_permissions set
        is_enabled = ${input.is_enabled === undefined ? sql`is_enabled` : enabled},
        permission_level = ${input.permission_level === undefined ? sql`permission_level` : input.permission_level}
        where command_id = ${id} and ${scope}`)
    } else {
      await tx.execute(sql`insert into command_permissions (command_id, entity_id, community_id, is_enabled, permission_level)
        values (${id}, ${input.entity_id ?? null}, ${input.community_id ?? null}, ${enabled}, ${input.permission_level ?? null})`)
    }
    for (const column of LIMIT_COLUMNS) {
      const value = input[column]
      if (value === undefined) continue
      // The column name comes from LIMIT_COLUMNS, never from the request.
      await tx.execute(
        sql`update command_permissions set ${sql.raw(column)} = ${value} where command_id = ${id} and ${scope}`,
      )
    }
  })
  await auditOverride(db, actor, 'command.override.set', input)
  await cache.publish('commands:changed', { override: input.command })
  return (await db.one(
    sql`select command_id, entity_id, community_id, is_enabled, permission_level, rate_limit, cooldown_ms, entity_rate_limit
      from command_permissions where command_id = ${id} and ${scope}`,
  ))!
}

export async function adminRoutes(
  app: FastifyInstance,
  storage: Storage,
  cache: Cache,
  auth: AuthOptions,
): Promise<void> {
  // Every router replica re-reads the command table after 'commands:changed': from the primary for a few seconds.
  const db = storage.scope('commands')
  app.put(
    '/api/v1/admin/commands/overrides',
    { onRequest: requireKey(auth, ['admin'], 'PUT /api/v1/admin/commands/overrides') },
    async (req) => {
      const caller = await authenticate(req, auth, ['admin'], 'PUT /api/v1/admin/commands/overrides')
      return setOverride(db, cache, parse(req.body), caller.keyId ? `key:${caller.keyId}` : caller.scope)
    },
  )
  app.delete(
    '/api/v1/admin/commands/overrides',
    { onRequest: requireKey(auth, ['admin'], 'DELETE /api/v1/admin/commands/overrides') },
    async (req, reply) => {
      const caller = await authenticate(req, auth, ['admin'], 'DELETE /api/v1/admin/commands/overrides')
      const input = parse(req.body)
      const id = await commandId(db, input.command)
      const scope = input.entity_id
        ? sql`entity_id = ${input.entity_id}`
        : sql`entity_id is null and community_id = ${input.community_id!}`
      const { changes } = await db.execute(sql`delete from command_permissions where command_id = ${id} and ${scope}`)
      await cache.publish('commands:changed', { override: input.command })
      if (changes > 0)
        await auditOverride(db, caller.keyId ? `key:${caller.keyId}` : caller.scope, 'command.override.delete', input)
      return reply.code(changes > 0 ? 204 : 404).send()
    },
  )
}
