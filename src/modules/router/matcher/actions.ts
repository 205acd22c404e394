/**
 * Turns the hits of a message into the router's reaction (pure; nothing is sent from here):
 * - one moderation response: among warn/delete/timeout/ban hits, those of the best (lowest) priority
 *   compete and the strongest action wins (ban > timeout > delete > warn);
 * - chat responses for `respond` hits, in priority order, at most {@link MAX_RESPONDS};
 * - the command line of the best `command` hit, prefix kept as written (`!so {user}` stays `!so …`);
 * - one webhook call per `webhook` hit, at most {@link MAX_WEBHOOKS}.
 * Placeholders: `{user}` (user name), `{display_name}` (display name, else user name), `{message}`
 * (the message text), `{entity}` (entity id); each is replaced once, never re-expanded.
 */
import type { InboundEvent } from '../../../contract/events.js'
import type { Response } from '../../../contract/responses.js'
import { DEFAULT_TIMEOUT_SECONDS, type MatchHit, MODERATION_ACTIONS, type ModerationAction } from './types.js'

/** At most this many `respond` hits answer one message. */
export const MAX_RESPONDS = 3
/** At most this many webhooks are called for one message. */
export const MAX_WEBHOOKS = 5

/** The parts of the event a reaction needs. */
export type ReactionEvent = Pick<InboundEvent, 'platform' | 'server_id' | 'channel_id' | 'user_id' | 'user_name'> &
  Partial<Pick<InboundEvent, 'display_name' | 'message' | 'message_id' | 'entity_id'>>

/** The JSON body posted to a webhook rule's URL. */
export interface WebhookPayload {
  readonly type: 'string_match'
  readonly rule_id: number
  readonly pattern: string
  readonly match_type: string
  readonly action: 'webhook'
  readonly matched: string
  readonly message_content: string
  readonly user: { readonly id: string; readonly name: string; readonly display_name?: string }
  readonly context: {
    readonly platform: string
    readonly server_id: string
    readonly channel_id: string
    readonly entity_id: string
    readonly message_id?: string
    readonly timestamp: string
  }
}

/** What the router should do about a message's hits. */
export interface Reaction {
  readonly responses: Response[]
  /** The command line to run as if the user had typed it, when a `command` rule hit. */
  readonly command?: string
  readonly webhooks: { readonly url: string; readonly payload: WebhookPayload }[]
  /** The ids of every rule that took effect (for match counts and logs). */
  readonly ruleIds: number[]
}

const strength = (action: ModerationAction): number => MODERATION_ACTIONS.indexOf(action)
const isModeration = (action: string): action is ModerationAction =>
  (MODERATION_ACTIONS as readonly string[]).includes(action)

/** Replaces the placeholders of `template` in one pass. */
export function fillTemplate(template: string, event: ReactionEvent): string {
  const values: Record<string, string> = {
    user: event.user_name,
    display_name: event.display_name ?? event.user_name,
    message: event.message ?? '',
    entity: event.entity_id ?? `${event.platform}:${event.server_id}:${event.channel_id}`,
  }
  return template.replace(/\{(user|display_name|message|entity)\}/g, (_, name: string) => values[name] ?? '')
}

/**
 * The reaction to `hits` (as returned by the matcher: sorted by priority then id) for `event`.
 * `now` stamps webhook payloads (default: the current time).
 */
export function reactionFor(hits: readonly MatchHit[], event: ReactionEvent, now: Date = new Date()): Reaction {
  const sorted = [...hits].sort((a, b) => a.rule.priority - b.rule.priority || a.rule.id - b.rule.id)
  const responses: Response[] = []
  const ruleIds: number[] = []
  let moderation: MatchHit | undefined
  let command: string | undefined
  const webhooks: { url: string; payload: WebhookPayload }[] = []
  let responds = 0
  for (const hit of sorted) {
    const { rule } = hit
    if (isModeration(rule.action)) {
      const best = moderation?.rule
      if (
        best === undefined ||
        (rule.priority === best.priority && strength(rule.action) > strength(best.action as ModerationAction))
      ) {
        moderation = hit
      }
    } else if (rule.action === 'respond' && responds < MAX_RESPONDS) {
      const text = fillTemplate(rule.action_value ?? '', event).trim()
      if (text === '') continue
      responds++
      responses.push({ type: 'chat', text })
      ruleIds.push(rule.id)
    } else if (rule.action === 'command' && command === undefined) {
      const line = fillTemplate(rule.action_value ?? '', event).trim()
      if (line === '') continue
      command = line
      ruleIds.push(rule.id)
    } else if (rule.action === 'webhook' && webhooks.length < MAX_WEBHOOKS && rule.action_value) {
      webhooks.push({ url: rule.action_value, payload: webhookPayload(hit, event, now) })
      ruleIds.push(rule.id)
    }
  }
  if (moderation !== undefined) {
    const { rule } = moderation
    const action = rule.action as ModerationAction
    const reason = rule.action_value ? fillTemplate(rule.action_value, event) : `matched moderation rule ${rule.id}`
    responses.unshift({
      type: 'moderation',
      action,
      reason,
      ...(action === 'timeout' ? { duration: rule.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS } : {}),
    })
    ruleIds.unshift(rule.id)
  }
  return { responses, ...(command !== undefined ? { command } : {}), webhooks, ruleIds }
}

function webhookPayload(hit: MatchHit, event: ReactionEvent, now: Date): WebhookPayload {
  const { rule } = hit
  return {
    type: 'string_match',
    rule_id: rule.id,
    pattern: rule.pattern,
    match_type: rule.match_type,
    action: 'webhook',
    matched: hit.matched,
    message_content: event.message ?? '',
    user: {
      id: event.user_id,
      name: event.user_name,
      ...(event.display_name ? { display_name: event.display_name } : {}),
    },
    context: {
      platform: event.platform,
      server_id: event.server_id,
      channel_id: event.channel_id,
      entity_id: event.entity_id ?? `${event.platform}:${event.server_id}:${event.channel_id}`,
      ...(event.message_id ? { message_id: event.message_id } : {}),
      timestamp: now.toISOString(),
    },
  }
}
