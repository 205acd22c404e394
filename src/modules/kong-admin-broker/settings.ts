/** `modules.kong-admin-broker` in waddlebot.yaml (docs/kong.md). */
import { z } from 'zod'

export const brokerConfigSchema = z
  .object({
    /** Kong's Admin API; else KONG_ADMIN_URL, else http://127.0.0.1:8001 (src/runtime/kong-outbox.ts). */
    admin_url: z.url().optional(),
    /** Mirror keys into Kong even without KONG_ADMIN_URL / admin_url (the default URL then applies). */
    mirror: z.boolean().optional(),
    /** How often a full reconcile runs (ms); a key change also triggers one at once (cache channel kong:keys). */
    interval_ms: z.number().int().min(100).max(3_600_000).default(5000),
    /** Timeout of each Admin API request (ms). */
    request_timeout_ms: z.number().int().min(100).max(60_000).default(5000),
  })
  .catchall(z.unknown())
export type BrokerConfig = z.infer<typeof brokerConfigSchema>
