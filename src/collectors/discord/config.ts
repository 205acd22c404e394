/**
 * `modules.discord.*` in waddlebot.yaml (or `WADDLEBOT_DISCORD_*`): the shared collector settings
 * (collector-config.ts) plus Discord's own. Secrets (`DISCORD_BOT_TOKEN`, `DISCORD_PUBLIC_KEY`) and the
 * REST base (`DISCORD_API_URL`) come from the environment only.
 */
import { z } from 'zod'
import { collectorConfigSchema } from '../core/collector-config.js'
import { DEFAULT_DEADLINE_MS } from './interactions.js'

/** The schema of `modules.discord` (defaults fill in). */
export const discordConfigSchema = collectorConfigSchema.extend({
  /** Register `/waddlebot` and `/command` (global application commands) when the gateway is ready. */
  register_commands: z.boolean().default(true),
  /** How long a slash command waits for the router before answering "thinking…" (type 5); under 3 s. */
  interaction_deadline_ms: z.number().int().min(100).max(2900).default(DEFAULT_DEADLINE_MS),
  /** How long to wait for the gateway's READY at start. */
  connect_timeout_ms: z.number().int().positive().default(30_000),
})

/** The validated `modules.discord` settings. */
export type DiscordConfig = z.infer<typeof discordConfigSchema>
