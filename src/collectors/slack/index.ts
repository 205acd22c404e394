/**
 * The Slack collector (`waddlebot run collector slack`, port 8004): @slack/bolt over the Events API on this
 * module's own port (`POST /slack/events`, `/slack/commands`, `/slack/interactions`, v0 signatures with
 * SLACK_SIGNING_SECRET) or Socket Mode (SLACK_APP_TOKEN), serving the channels it claimed through
 * coordination (`slack:<team>:<channel>`, from `slack.channels` / `SLACK_CHANNELS=T1/C1,…`), replying with
 * chat.postMessage at ≈ 1 message / s per channel. See docs/collectors.md#slack.
 */
import { WaddleError } from '../../runtime/errors.js'
import { defineCollector } from '../core/collector-module.js'
import { type SlackState, slackStateFor } from './collector.js'
import { type SlackConfig, slackConfigSchema } from './config.js'
import { manifest } from './manifest.js'
import { SlackNotReadyError, slackRoutes } from './receiver.js'
import type { SlackOp } from './sender.js'

export { slackHooks } from './collector.js'

export default defineCollector<SlackConfig, SlackOp, SlackState | undefined>({
  name: manifest.name,
  version: '0.1.0',
  summary: manifest.summary,
  port: manifest.port,
  config: slackConfigSchema,
  defaultBudget: { limit: 1, windowMs: 1000 },
  chatEnv: ['SLACK_BOT_TOKEN'],
  webhookEnv: 'SLACK_SIGNING_SECRET',
  createPlatform: slackStateFor,
  createAdapter: (_ctx, _handle, slack) => {
    // The adapter is only created with SLACK_BOT_TOKEN set, so the Slack state exists.
    if (!slack) throw new WaddleError('WB_WEBHOOK_NOT_CONFIGURED', { platform: 'slack', secret: 'SLACK_BOT_TOKEN' })
    return slack.adapter
  },
  whisper: ({ platform: slack }) => slack?.whisper,
  routes: (app, ctx, { platform: slack }) => {
    // Nothing configured: the routes answer 503 naming SLACK_SIGNING_SECRET, and bolt is never loaded.
    if (!slack)
      return slackRoutes(app, {
        signingSecret: undefined,
        log: ctx.log,
        dispatch: () => Promise.reject(new SlackNotReadyError()),
      })
    slack.routes(app)
  },
})
