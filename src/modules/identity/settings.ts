/** The identity module's settings (`modules.identity` in waddlebot.yaml, `WADDLEBOT_IDENTITY_<KEY>`). */
import { z } from 'zod'

export const identityConfigSchema = z.object({
  /** How long a link code is valid. */
  code_ttl_minutes: z.coerce.number().int().min(1).max(60).default(10),
  /** The least time between two codes for the same link. */
  resend_seconds: z.coerce.number().int().min(0).max(3600).default(60),
  /** Wrong codes before the link is locked. */
  max_attempts: z.coerce.number().int().min(1).max(20).default(5),
  /** How long a locked link stays locked. */
  lock_minutes: z.coerce.number().int().min(1).max(1440).default(60),
  /** Active API keys per person. */
  max_api_keys: z.coerce.number().int().min(1).max(50).default(5),
  /** Default lifetime of a user API key (days). */
  api_key_days: z.coerce.number().int().min(1).max(3650).default(365),
})
export type IdentityConfig = z.infer<typeof identityConfigSchema>
