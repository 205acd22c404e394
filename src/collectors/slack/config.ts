/**
 * `modules.slack.*` (or `WADDLEBOT_SLACK_*`): the shared collector settings plus Slack's own. Secrets come
 * from the environment only: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (and SLACK_API_URL).
 */
import { z } from 'zod'
import { collectorConfigSchema } from '../core/collector-config.js'

export const slackConfigSchema = collectorConfigSchema.extend({
  /** How long a slash command waits for the router before acking empty and posting the reply later. */
  ack_budget_ms: z.number().int().positive().max(2900).default(2500),
  /** How long an HTTP request may wait for bolt's ack (Slack gives up after 3 s). */
  ack_timeout_ms: z.number().int().positive().max(10_000).optional(),
  /**
   * Web API retries of a failed call (rate limits are waited out separately, as Slack asks). Kept low so a
   * Slack outage does not hold a channel's queue for long; tests use 0.
   */
  api_retries: z.number().int().min(0).max(20).default(3),
  /** The public https URL that reaches this module (port 8004): the request URLs of `waddlebot auth slack`'s manifest. */
  public_url: z.url().optional(),
})

export type SlackConfig = z.infer<typeof slackConfigSchema>
