/**
 * Moderation responses carried out through Discord REST, where the bot has the right:
 *
 * | action | REST call | bot permission |
 * |---|---|---|
 * | delete | `DELETE /channels/<channel>/messages/<message>` | Manage Messages |
 * | timeout | `PATCH /guilds/<guild>/members/<user>` `{communication_disabled_until}` (duration s, default 600, max 28 days) | Moderate Members |
 * | ban | `PUT /guilds/<guild>/bans/<user>` | Ban Members |
 * | warn | a chat line mentioning the user | — |
 *
 * The permission is checked first (from the gateway's cached roles, or an interaction's `app_permissions`);
 * when it is missing, or Discord refuses (403 / code 50013), nothing is done and the outcome says why so the
 * caller can report it in chat and the log. The reason goes to the audit log (`X-Audit-Log-Reason`).
 */
import type { REST } from 'discord.js'
import { PERMISSION, route } from './discord-api.js'

/** A timeout without a duration lasts 10 min. */
export const DEFAULT_TIMEOUT_S = 600
/** Discord's longest timeout: 28 days. */
export const MAX_TIMEOUT_S = 28 * 24 * 3600

/** Whom and where an action applies to. */
export interface ModerationTarget {
  readonly guildId: string | null
  readonly channelId: string
  readonly userId: string
  /** The message that triggered the action (needed to delete it). */
  readonly messageId?: string | undefined
}

/** What happened: done, or why not. */
export interface ModerationOutcome {
  readonly action: 'warn' | 'delete' | 'timeout' | 'ban'
  readonly done: boolean
  /** For a warn: the line to post. For a refusal: why (shown in chat and logged). */
  readonly message?: string
}

const NEEDS = {
  delete: { flag: PERMISSION.ManageMessages, name: 'Manage Messages' },
  timeout: { flag: PERMISSION.ModerateMembers, name: 'Moderate Members' },
  ban: { flag: PERMISSION.BanMembers, name: 'Ban Members' },
} as const

/**
 * Carries out one moderation action. `botPermissions` is what the bot may do in the target channel, or
 * null when unknown (then Discord decides).
 */
export async function moderate(
  rest: REST,
  action: ModerationOutcome['action'],
  reason: string,
  target: ModerationTarget,
  botPermissions: bigint | null,
  durationS?: number,
): Promise<ModerationOutcome> {
  if (action === 'warn') return { action, done: true, message: `<@${target.userId}> ⚠️ ${reason}` }
  const need = NEEDS[action]
  const refuse = (why: string): ModerationOutcome => ({
    action,
    done: false,
    message: `I could not ${action === 'delete' ? 'delete that message' : `${action} <@${target.userId}>`}: ${why}`,
  })
  if (action === 'delete' && !target.messageId) return refuse('no message to delete')
  if (action !== 'delete' && !target.guildId) return refuse('not in a server')
  if (botPermissions !== null && (botPermissions & (need.flag | PERMISSION.Administrator)) === 0n) {
    return refuse(`I need the ${need.name} permission`)
  }
  const auditReason = reason.slice(0, 512)
  try {
    if (action === 'delete')
      await rest.delete(route.channelMessage(target.channelId, target.messageId!), { reason: auditReason })
    else if (action === 'timeout') {
      const seconds = Math.min(Math.max(durationS ?? DEFAULT_TIMEOUT_S, 1), MAX_TIMEOUT_S)
      const until = new Date(Date.now() + seconds * 1000).toISOString()
      await rest.patch(route.guildMember(target.guildId!, target.userId), {
        body: { communication_disabled_until: until },
        reason: auditReason,
      })
    } else
      await rest.put(route.guildBan(target.guildId!, target.userId), {
        body: { delete_message_seconds: 0 },
        reason: auditReason,
      })
    return { action, done: true }
  } catch (error) {
    // discord.js's DiscordAPIError carries the HTTP status and Discord's error code (50013: missing permissions).
    const { status, code } = error as { status?: unknown; code?: unknown }
    if (status === 403 || code === 50013) return refuse(`Discord refused (${(error as Error).message})`)
    return refuse(`Discord error: ${(error as Error).message}`)
  }
}
