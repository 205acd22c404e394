/** The router's answer to one event (CONTRACT §4.1). */
import { z } from 'zod'
import { responseSchema } from './responses.js'

export const OUTCOMES = [
  'command',
  'string_match',
  'event',
  'ignored',
  'unknown_command',
  'forbidden',
  'rate_limited',
  'module_error',
  'timeout',
] as const
export const outcomeSchema = z.enum(OUTCOMES)
export type Outcome = z.infer<typeof outcomeSchema>

export const eventResultSchema = z.object({
  session_id: z.string(),
  entity_id: z.string(),
  processed: z.boolean(),
  outcome: outcomeSchema,
  command: z.string().optional(),
  responses: z.array(responseSchema),
})
export type EventResult = z.infer<typeof eventResultSchema>
