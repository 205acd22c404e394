/**
 * Twitch moderation through Helix: delete a message, time out or ban a user. Carried out only where the
 * bot has the right (it is a moderator or the broadcaster there, from its USERSTATE); otherwise, and when
 * Helix is not configured, the action is reported in the log and not attempted.
 */
import type { Logger } from '../../runtime/logger.js'
import { moderationActions } from '../../runtime/metrics.js'
import type { HelixClient } from './helix.js'
import type { TwitchPayload } from './render.js'

type ModerationPayload = Extract<TwitchPayload, { kind: 'moderation' }>

export interface ModerationContext {
  readonly helix: HelixClient | undefined
  readonly log: Pick<Logger, 'warn' | 'info'>
  /** Whether the bot is a moderator (or the broadcaster) in `channel`. */
  canModerate(channel: string): boolean
  /** The broadcaster's user id of `channel` (ROOMSTATE room-id, else a Helix lookup). */
  broadcasterId(channel: string): Promise<string | undefined>
  /** The bot's own user id (GLOBALUSERSTATE, else a Helix lookup). */
  botUserId(): Promise<string | undefined>
}

/** What happened to one moderation action. */
export type ModerationOutcome = 'done' | 'not_moderator' | 'no_helix' | 'no_target'

/** Carries out one moderation item (or reports why not); Helix errors propagate to the queue. */
export async function moderate(m: ModerationContext, p: ModerationPayload): Promise<ModerationOutcome> {
  const report = (outcome: Exclude<ModerationOutcome, 'done'>, why: string): ModerationOutcome => {
    m.log.warn(
      { channel: p.channel, action: p.action, user: p.userName, reason: p.reason, outcome },
      `moderation not carried out: ${why}`,
    )
    return outcome
  }
  if (!m.canModerate(p.channel)) return report('not_moderator', `the bot is not a moderator in #${p.channel}`)
  if (!m.helix) return report('no_helix', 'TWITCH_CLIENT_ID is not set (Helix is needed to moderate)')
  const [broadcaster, moderator] = await Promise.all([m.broadcasterId(p.channel), m.botUserId()])
  if (!broadcaster || !moderator) return report('no_target', 'the broadcaster or bot user id is unknown')
  if (p.action === 'delete') {
    if (!p.messageId) return report('no_target', 'no message id to delete')
    await m.helix.deleteChatMessage(broadcaster, moderator, p.messageId)
  } else {
    if (!p.userId) return report('no_target', 'no user to act on')
    await m.helix.banUser(broadcaster, moderator, {
      userId: p.userId,
      reason: p.reason,
      ...(p.action === 'timeout' ? { durationSeconds: p.durationSeconds ?? 600 } : {}),
    })
  }
  moderationActions.inc({ platform: 'twitch', action: p.action })
  m.log.info({ channel: p.channel, action: p.action, user: p.userName }, 'moderation carried out')
  return 'done'
}
