/**
 * Slack payloads → the router's InboundEvent (CONTRACT §4.1). Entities are `slack:<team>:<channel>`.
 *
 * | Slack | message_type | message |
 * |---|---|---|
 * | `message` (no subtype, or `thread_broadcast` / `file_share`) | chatMessage | the text |
 * | `app_mention` | app_mention | the text |
 * | `reaction_added` / `reaction_removed` | reaction | the emoji name |
 * | `member_joined_channel` / `member_left_channel` | member_join / member_leave | — |
 * | slash command `/waddlebot ping x` | slashCommand | `!ping x` (`/waddlebot #cmd` keeps `#`; `/other x` → `!other x`) |
 * | block_actions / view_submission / shortcut | interaction | the action value |
 *
 * Roles: Slack workspace owners → `owner`, admins → `admin` (Slack has no moderator/VIP/subscriber).
 */
import type { InboundEvent, Role } from '../../contract/events.js'

/** What the collector knows about a Slack user (from `users.info`, cached). */
export interface SlackUser {
  readonly id: string
  readonly name: string
  readonly displayName?: string
  readonly isOwner?: boolean
  readonly isAdmin?: boolean
}

/** The entity a Slack conversation maps to. */
export function slackEntityId(team: string, channel: string): string {
  return `slack:${team}:${channel}`
}

/** Workspace roles → router roles. */
export function rolesOf(user: SlackUser): Role[] {
  const roles: Role[] = []
  if (user.isOwner) roles.push('owner')
  if (user.isAdmin || user.isOwner) roles.push('admin')
  return roles
}

function base(
  team: string,
  channel: string,
  user: SlackUser,
): Pick<InboundEvent, 'platform' | 'server_id' | 'channel_id' | 'user_id' | 'user_name' | 'entity_id'> & {
  display_name?: string
  roles?: Role[]
} {
  const roles = rolesOf(user)
  return {
    platform: 'slack',
    server_id: team,
    channel_id: channel,
    user_id: user.id,
    user_name: user.name,
    entity_id: slackEntityId(team, channel),
    ...(user.displayName ? { display_name: user.displayName } : {}),
    ...(roles.length ? { roles } : {}),
  }
}

type Loose = Record<string, unknown>
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** Message subtypes that are still a person talking. */
const PERSON_SUBTYPES = new Set(['thread_broadcast', 'file_share', 'me_message'])

/** Where an Events API event happened and who did it, or undefined when it is not one we forward. */
export function eventSubject(
  event: Loose,
  teamFallback: string | undefined,
): { team: string; channel: string; user: string } | undefined {
  const team = str(event.team) ?? str(event.user_team) ?? teamFallback
  const item = (event.item ?? {}) as Loose
  const channel = str(event.channel) ?? str(item.channel)
  const user = str(event.user)
  if (!team || !channel || !user) return undefined
  return { team, channel, user }
}

/** Normalizes one Events API event (the `event` of an event_callback); undefined = not forwarded. */
export function normalizeEvent(
  event: Loose,
  team: string,
  user: SlackUser,
  eventId?: string,
): InboundEvent | undefined {
  const type = str(event.type)
  const channel = str(event.channel) ?? str((event.item as Loose | undefined)?.channel)
  if (!channel) return undefined
  const common = base(team, channel, user)
  const meta = (extra: Loose): Loose => ({ ...(eventId ? { event_id: eventId } : {}), ...extra })
  switch (type) {
    case 'message': {
      const subtype = str(event.subtype)
      if ((subtype && !PERSON_SUBTYPES.has(subtype)) || event.bot_id) return undefined
      const ts = str(event.ts)
      return {
        ...common,
        message_type: 'chatMessage',
        message: typeof event.text === 'string' ? event.text : '',
        ...(ts ? { message_id: ts } : {}),
        metadata: meta({ ts, thread_ts: str(event.thread_ts), channel_type: str(event.channel_type), subtype }),
      }
    }
    case 'app_mention': {
      const ts = str(event.ts)
      return {
        ...common,
        message_type: 'app_mention',
        message: String(event.text ?? ''),
        ...(ts ? { message_id: ts } : {}),
        metadata: meta({ ts, thread_ts: str(event.thread_ts) }),
      }
    }
    case 'reaction_added':
    case 'reaction_removed':
      return {
        ...common,
        message_type: 'reaction',
        message: String(event.reaction ?? ''),
        metadata: meta({
          reaction: event.reaction,
          removed: type === 'reaction_removed',
          item: event.item,
          item_user: event.item_user,
        }),
      }
    case 'member_joined_channel':
    case 'member_left_channel':
      return {
        ...common,
        message_type: type === 'member_joined_channel' ? 'member_join' : 'member_leave',
        metadata: meta({ inviter: str(event.inviter) }),
      }
    default:
      return undefined
  }
}

/** `/waddlebot ping x` → `!ping x`; `/waddlebot #cmd` stays `#cmd`; `/waddlebot` alone → `!help`; `/other x` → `!other x`. */
export function slashToMessage(command: string, text: string): string {
  const rest = text.trim()
  const name = command.replace(/^\//, '').toLowerCase()
  if (name === 'waddlebot') {
    if (rest === '') return '!help'
    return /^[!#]/.test(rest) ? rest : `!${rest}`
  }
  return rest === '' ? `!${name}` : `!${name} ${rest}`
}

/** Normalizes a slash command body. */
export function normalizeSlashCommand(body: Loose, user: SlackUser): InboundEvent | undefined {
  const team = str(body.team_id)
  const channel = str(body.channel_id)
  const command = str(body.command)
  if (!team || !channel || !command) return undefined
  const text = typeof body.text === 'string' ? body.text : ''
  return {
    ...base(team, channel, user),
    message_type: 'slashCommand',
    message: slashToMessage(command, text),
    ...(str(body.trigger_id) ? { message_id: str(body.trigger_id)! } : {}),
    metadata: { command, text, trigger_id: str(body.trigger_id), response_url: str(body.response_url) },
  }
}

/** Normalizes an interaction (block_actions, view_submission, shortcut, message_action). */
export function normalizeInteraction(body: Loose, user: SlackUser): InboundEvent | undefined {
  const team =
    str((body.team as Loose | undefined)?.id) ?? str(body.team_id) ?? str((body.user as Loose | undefined)?.team_id)
  const channel =
    str((body.channel as Loose | undefined)?.id) ??
    str((body.container as Loose | undefined)?.channel_id) ??
    str(body.channel_id)
  if (!team || !channel) return undefined
  const kind = str(body.type) ?? 'interaction'
  const action = Array.isArray(body.actions) ? ((body.actions[0] ?? {}) as Loose) : {}
  const view = (body.view ?? {}) as Loose
  const customId = str(action.action_id) ?? str(view.callback_id) ?? str(body.callback_id)
  const value = str(action.value) ?? str((action.selected_option as Loose | undefined)?.value)
  return {
    ...base(team, channel, user),
    message_type: 'interaction',
    ...(value ? { message: value } : {}),
    metadata: {
      interaction_type: kind,
      custom_id: customId,
      block_id: str(action.block_id),
      value,
      values: (view.state as Loose | undefined)?.values,
      trigger_id: str(body.trigger_id),
      message_ts:
        str((body.message as Loose | undefined)?.ts) ?? str((body.container as Loose | undefined)?.message_ts),
    },
  }
}
