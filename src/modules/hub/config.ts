/**
 * `modules.hub` in waddlebot.yaml (or `WADDLEBOT_HUB_*`). OAuth client ids/secrets and the platforms' base
 * URLs come from the environment only (oauth/providers.ts); `HUB_SESSION_SECRET` too (sessions.ts).
 */
import { z } from 'zod'

export const hubConfigSchema = z.object({
  /** The address browsers reach the hub at (OAuth redirect URIs are built from it); default http://<bind>:<port>. */
  public_url: z.string().url().optional(),
  /** How long a session lives without a refresh. */
  session_ttl_minutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 90)
    .default(60 * 12),
  /** How long a one-time password is valid. */
  temp_password_ttl_minutes: z.number().int().min(1).max(1440).default(15),
  /** After a temp-password login, the user must link an OAuth account first (when any OAuth platform is configured). */
  require_oauth_link: z.boolean().default(true),
  /** Login attempts (temp password, OAuth callbacks) per client address per minute. */
  login_attempts_per_minute: z.number().int().min(1).max(10_000).default(10),
  /** Where the built UI is served from; default hub/dist of this package. */
  dist_dir: z.string().optional(),
  /** Build the UI on first serve when hub/dist is missing or stale (never blocks the start). */
  build_on_serve: z.boolean().default(true),
})

export type HubConfig = z.infer<typeof hubConfigSchema>
