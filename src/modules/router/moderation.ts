/**
 * The string-matching stage of the pipeline: every chat message goes through the compiled rule matcher
 * (one automaton + one regex set, rebuilt when rules change). Hits become moderation responses, auto-responses,
 * a command run on the user's behalf, and signed webhook calls (fire-and-forget). Match counts are recorded
 * off the hot path.
 */
import type { InboundEvent } from '../../contract/events.js'
import type { SetupContext } from '../../runtime/module.js'
import { Counter } from 'prom-client'
import { metricsRegistry } from '../../runtime/metrics.js'
import { signWebhook } from '../../runtime/targets/webhook.js'
import { type Reaction, reactionFor } from './matcher/actions.js'
import { RuleMatcher } from './matcher/matcher-cache.js'
import { recordMatches } from './matcher/rules.js'

export interface Moderation {
  /** The reaction to this message, or undefined when no rule fired. */
  check(event: InboundEvent, entityId: string): Reaction | undefined
  readonly matcher: RuleMatcher
  close(): Promise<void>
}

const stringMatchHits =
  (metricsRegistry.getSingleMetric('waddlebot_string_match_hits_total') as Counter | undefined) ??
  new Counter({
    name: 'waddlebot_string_match_hits_total',
    help: 'String-match rule hits by action',
    labelNames: ['action'],
    registers: [metricsRegistry],
  })

/** Actions that stop the message from being handled any further. */
export const STOPPING = new Set(['delete', 'timeout', 'ban'])

export async function createModeration(ctx: SetupContext): Promise<Moderation> {
  const matcher = new RuleMatcher({
    storage: ctx.storage,
    cache: ctx.cache,
    onError: (err) => ctx.log.error({ err }, 'string-match rebuild failed'),
  })
  await matcher.start()
  const secret = ctx.settings.env.WADDLEBOT_WEBHOOK_SECRET

  function callWebhooks(reaction: Reaction): void {
    for (const hook of reaction.webhooks) {
      const body = JSON.stringify(hook.payload)
      const ts = String(Math.floor(Date.now() / 1000))
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-waddlebot-timestamp': ts }
      if (secret) headers['x-waddlebot-signature'] = signWebhook(secret, ts, body)
      fetch(hook.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) }).then(
        (res) =>
          res.ok || ctx.log.warn({ url: hook.url, status: res.status }, 'string-match webhook answered an error'),
        (err) => ctx.log.warn({ url: hook.url, err }, 'string-match webhook unreachable'),
      )
    }
  }

  return {
    matcher,
    check(event, entityId) {
      if (!event.message) return undefined
      const hits = matcher.match(event.message, entityId)
      if (hits.length === 0) return undefined
      const reaction = reactionFor(hits, { ...event, entity_id: entityId })
      for (const hit of hits) stringMatchHits.inc({ action: hit.rule.action })
      if (reaction.webhooks.length > 0) callWebhooks(reaction)
      recordMatches(ctx.storage, reaction.ruleIds).catch((err) =>
        ctx.log.warn({ err }, 'could not record string-match counts'),
      )
      return reaction
    },
    close: () => matcher.close(),
  }
}
