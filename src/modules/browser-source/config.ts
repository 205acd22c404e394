/** `modules.browser-source` settings (waddlebot.yaml) and their defaults. */
import { z } from 'zod'

export const browserSourceConfig = z.object({
  /** Most overlay sockets one process serves (more are closed with 1013). */
  max_connections: z.number().int().positive().default(5000),
  /** Ping and token re-check interval (ms). */
  heartbeat_ms: z.number().int().nonnegative().default(30_000),
  /** How long a token lookup is cached (ms). */
  token_cache_ms: z.number().int().nonnegative().default(10_000),
  /** Base URL put in overlay URLs (e.g. behind a proxy); default the module's own URL. */
  public_url: z.string().url().optional(),
  /** Unknown-token requests (page or socket) allowed per client address per minute; then 429 / close 4429. */
  token_guess_limit: z.number().int().positive().default(30),
  /** Access log rows older than this are deleted (days). */
  access_log_days: z.number().positive().default(30),
})
export type BrowserSourceConfig = z.infer<typeof browserSourceConfig>
