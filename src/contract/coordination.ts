/**
 * The coordination wire (CONTRACT §4.3), shared by the router that serves it and the collectors that call
 * it: request bodies (validated at the router's edge) and the entity a claim hands out.
 */
import { z } from 'zod'
import { platformSchema } from './events.js'

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

export type ClaimRequest = z.infer<typeof claimBody>
export type ContainerRequest = z.infer<typeof containerBody>
export type StatusRequest = z.infer<typeof statusBody>
export type ErrorRequest = z.infer<typeof errorBody>
export type ReleaseRequest = z.infer<typeof releaseBody>
export type EntitiesRequest = z.infer<typeof entitiesBody>

/** One coordination entity as the router returns it from a claim. */
export interface ClaimedEntity {
  readonly entity_id: string
  readonly platform: string
  readonly server_id: string | null
  readonly channel_id: string | null
}
