/**
 * Router → module execution (CONTRACT §4.2): the ONE shape for every target, in-process or remote.
 */
import { z } from 'zod'
import { executionResponseSchema } from './responses.js'

export const executionRequestSchema = z.object({
  execution_id: z.string().min(1),
  session_id: z.string().min(1),
  command: z.string(),
  args: z.array(z.string()),
  raw_message: z.string(),
  trigger: z.enum(['command', 'event']),
  user: z.object({
    id: z.string(),
    name: z.string(),
    display_name: z.string().optional(),
    roles: z.array(z.string()),
    identity_id: z.string().optional(),
  }),
  entity: z.object({
    id: z.string(),
    platform: z.string(),
    server_id: z.string(),
    channel_id: z.string(),
    community_id: z.string(),
  }),
  event: z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
})
export type ExecutionRequest = z.infer<typeof executionRequestSchema>

export const executionResultSchema = z.object({
  execution_id: z.string(),
  session_id: z.string(),
  success: z.boolean(),
  /** Platform responses, plus at most the router-internal `command` re-entry (contract/responses.ts). */
  responses: z.array(executionResponseSchema),
  error: z.string().optional(),
})
export type ExecutionResult = z.infer<typeof executionResultSchema>
