/**
 * The Slack collector (`waddlebot run collector slack`, port 8004): @slack/bolt over the Events API on this
 * module's own port (`POST /slack/events`, `/slack/commands`, `/slack/interactions`, v0 signatures with
 * SLACK_SIGNING_SECRET) or Socket Mode (SLACK_APP_TOKEN), serving the channels it claimed through
 * coordination (`slack:<team>:<channel>`, from `slack.channels` / `SLACK_CHANNELS=T1/C1,…`), replying with
 * chat.postMessage at ≈ 1 message / s per channel. See docs/collectors.md#slack.
 */
import { defineCollector } from '../core/collector-module.js'
import { slackEnvFrom } from './bolt-app.js'
import { slackStateOf } from './collector.js'
import { type SlackConfig, slackConfigSchema } from './config.js'
import { SlackNotReadyError, slackRoutes } from './receiver.js'
import type { SlackOp } from './sender.js'

export { slackHooks, slackStateOf } from './collector.js'

export default defineCollector<SlackConfig, SlackOp>({
  name: 'slack',
  version: '0.1.0',
  summary: 'Slack Events API and Socket Mode',
  port: 8004,
  config: slackConfigSchema,
  defaultBudget: { limit: 1, windowMs: 1000 },
  chatEnv: ['SLACK_BOT_TOKEN'],
  webhookEnv: 'SLACK_SIGNING_SECRET',
  createAdapter: (ctx, handle) => slackStateOf(ctx, handle).adapter,
  routes: (app, ctx, handle) => {
    const env = slackEnvFrom(ctx.settings.env)
    // Nothing configured: the routes answer 503 naming SLACK_SIGNING_SECRET, and bolt is never loaded.
    if (!env.botToken && !env.signingSecret && !env.appToken) {
      return slackRoutes(app, { signingSecret: undefined, log: ctx.log, dispatch: () => Promise.reject(new SlackNotReadyError()) })
    }
    slackStateOf(ctx, handle).routes(app)
  },
})
