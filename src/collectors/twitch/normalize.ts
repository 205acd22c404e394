/**
 * Twitch chat → the router's InboundEvent. A PRIVMSG's tags give the user id, display name, badges (roles)
 * and message id; the entity is `twitch:<channel>:<channel>` (channel login, lower-case, no `#`).
 */
import type { InboundEvent, Role } from '../../contract/events.js'

/** Tags as tmi.js hands them over (parsed: badges as an object, mod/subscriber as booleans). */
export type TwitchTags = Readonly<Record<string, unknown>>

/** `#Chan` → `chan`. */
export function channelLogin(channel: string): string {
  return channel.replace(/^#/, '').toLowerCase()
}

/** The coordination / router entity of a Twitch channel. */
export function twitchEntityId(channel: string): string {
  const login = channelLogin(channel)
  return `twitch:${login}:${login}`
}

/** The channel login of a `twitch:<channel>:<channel>` entity (undefined for other platforms). */
export function channelOfEntity(entityId: string): string | undefined {
  const m = /^twitch:([^:]+):([^:]+)$/.exec(entityId)
  return m ? m[2] : undefined
}

/** Badges from parsed (`{moderator: '1'}`) or raw (`moderator/1,subscriber/12`) tags. */
export function badgesOf(tags: TwitchTags): Record<string, string> {
  const raw = tags['badges']
  if (raw && typeof raw === 'object')
    return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
  if (typeof raw !== 'string' || raw === '') return {}
  return Object.fromEntries(
    raw
      .split(',')
      .map((b) => b.split('/') as [string, string?])
      .map(([k, v]) => [k, v ?? '']),
  )
}

const truthy = (v: unknown) => v === true || v === '1' || v === 1

/** Router roles from badges and the mod / subscriber / vip tags. */
export function rolesOf(tags: TwitchTags): Role[] {
  const badges = badgesOf(tags)
  const roles = new Set<Role>()
  if ('broadcaster' in badges) roles.add('broadcaster')
  if ('moderator' in badges || truthy(tags['mod']) || tags['user-type'] === 'mod') roles.add('moderator')
  if ('vip' in badges || truthy(tags['vip'])) roles.add('vip')
  if ('subscriber' in badges || 'founder' in badges || truthy(tags['subscriber'])) roles.add('subscriber')
  if (tags['user-type'] === 'admin' || tags['user-type'] === 'staff') roles.add('admin')
  return [...roles]
}

/** Whether the bot may moderate in a channel, from its USERSTATE there. */
export function canModerate(tags: TwitchTags): boolean {
  const roles = rolesOf(tags)
  return roles.includes('moderator') || roles.includes('broadcaster')
}

/**
 * The emote names of a message, one per occurrence, from the `emotes` tag (tmi.js: `{id: ['0-4', …]}`; raw:
 * `id:0-4,6-10/id2:…`). Positions count code points, as Twitch sends them.
 */
export function emoteNames(tags: TwitchTags, message: string): string[] {
  const raw = tags['emotes']
  const ranges: string[] = []
  if (raw && typeof raw === 'object')
    for (const list of Object.values(raw as Record<string, unknown>))
      if (Array.isArray(list)) ranges.push(...list.map(String))
  if (typeof raw === 'string') for (const part of raw.split('/')) ranges.push(...(part.split(':')[1]?.split(',') ?? []))
  if (ranges.length === 0) return []
  const chars = Array.from(message)
  return ranges.flatMap((r) => {
    const [from, to] = r.split('-').map(Number)
    return Number.isInteger(from) && Number.isInteger(to) && to! >= from! ? [chars.slice(from, to! + 1).join('')] : []
  })
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** A chat message as the router's event, or undefined when it lacks a user (never from real Twitch). */
export function chatEvent(channel: string, tags: TwitchTags, message: string): InboundEvent | undefined {
  const login = channelLogin(channel)
  const userName = str(tags['username']) ?? str(tags['login'])
  const userId = str(tags['user-id']) ?? userName
  if (!userName || !userId) return undefined
  const metadata: Record<string, unknown> = { badges: badgesOf(tags) }
  for (const [key, name] of [
    ['room-id', 'room_id'],
    ['color', 'color'],
    ['bits', 'bits'],
    ['reply-parent-msg-id', 'reply_parent_msg_id'],
    ['tmi-sent-ts', 'sent_ts'],
  ] as const) {
    const v = str(tags[key])
    if (v !== undefined) metadata[name] = name === 'bits' ? Number(v) : v
  }
  if (truthy(tags['first-msg'])) metadata['first_message'] = true
  const emotes = emoteNames(tags, message)
  if (emotes.length > 0) metadata['emotes'] = emotes
  if (tags['message-type'] === 'action') metadata['action'] = true
  const displayName = str(tags['display-name'])
  const messageId = str(tags['id'])
  return {
    platform: 'twitch',
    server_id: login,
    channel_id: login,
    entity_id: twitchEntityId(login),
    user_id: userId,
    user_name: userName,
    ...(displayName ? { display_name: displayName } : {}),
    message,
    ...(messageId ? { message_id: messageId } : {}),
    message_type: 'chatMessage',
    roles: rolesOf(tags),
    metadata,
  }
}
