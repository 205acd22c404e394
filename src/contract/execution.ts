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

/**
 * An event an observer watches (router → module, in batches; no execution, no execution-log row): the
 * execution request's user, entity and event, without a command.
 */
export const observedEventSchema = executionRequestSchema
  .omit({ execution_id: true, command: true, args: true, trigger: true })
  .extend({ event: z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) }) })
export type ObservedEvent = z.infer<typeof observedEventSchema>

/** `POST /api/v1/observe` on a module: one observer's batch of events, oldest first. */
export const observeBatchSchema = z.object({
  observer: z.string().min(1),
  events: z.array(observedEventSchema).min(1).max(1000),
})

export const executionResultSchema = z.object({
  execution_id: z.string(),
  session_id: z.string(),
  success: z.boolean(),
  /** Platform responses, plus at most the router-internal `command` re-entry (contract/responses.ts). */
  responses: z.array(executionResponseSchema),
  error: z.string().optional(),
})
export type ExecutionResult = z.infer<typeof executionResultSchema>
