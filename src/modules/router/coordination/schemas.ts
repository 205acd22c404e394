/** Request bodies of the coordination API (CONTRACT §4.3), validated at the edge. */
import { z } from 'zod'
import { platformSchema } from '../../../contract/events.js'
import { describeIssue } from '../../../contract/validate.js'
import { WaddleError } from '../../../runtime/errors.js'

const containerId = z.string().min(1).max(200)
const entityId = z.string().min(1).max(800)

export const claimBody = z.object({
  platform: platformSchema,
  container_id: containerId,
  max_claims: z.number().int().min(1).max(1000).optional(),
})

export const containerBody = z.object({ container_id: containerId })

export const statusBody = z.object({
  container_id: containerId,
  entity_id: entityId,
  is_live: z.boolean().optional(),
  viewer_count: z.number().int().min(0).optional(),
  has_activity: z.boolean().optional(),
})

export const errorBody = z.object({
  container_id: containerId,
  entity_id: entityId,
  error_message: z.string().min(1).max(4000),
})

export const releaseBody = z.object({
  container_id: containerId,
  entity_ids: z.array(entityId).max(1000).optional(),
})

export const entitiesBody = z.object({
  platform: platformSchema,
  entities: z
    .array(
      z.object({
        entity_id: entityId,
        server_id: z.string().min(1).max(256).optional(),
        channel_id: z.string().min(1).max(256).optional(),
        priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
      }),
    )
    .min(1)
    .max(1000),
  /** Puts entities in status `error` back into rotation (error count cleared). */
  reset_errors: z.boolean().optional(),
})

/** Parses `body` or throws WB_INPUT_INVALID naming the first bad field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {})
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
  }
  return parsed.data
}
