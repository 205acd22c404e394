/**
 * EventSub notifications → router events (upstream-waddlebot §6.2, CONTRACT §4.1). The entity is the
 * broadcaster's channel (`twitch:<login>:<login>`); the user is who followed, subscribed, gifted, cheered
 * or raided (anonymous gifts and cheers become user `anonymous`).
 */
import type { InboundEvent } from '../../contract/events.js'
import { twitchEntityId } from './normalize.js'

type EventData = Readonly<Record<string, unknown>>

/** Subscription type → router message type. */
export const EVENTSUB_TYPES: Readonly<Record<string, string>> = {
  'channel.follow': 'follow',
  'channel.subscribe': 'subscription',
  'channel.subscription.gift': 'subgift',
  'channel.subscription.message': 'resub',
  'channel.cheer': 'cheer',
  'channel.raid': 'raid',
  'stream.online': 'stream_online',
  'stream.offline': 'stream_offline',
  'channel.channel_points_custom_reward_redemption.add': 'redemption',
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined

/** Copies the listed fields that are present. */
function pick(event: EventData, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => event[k] !== undefined && event[k] !== null).map((k) => [k, event[k]]))
}

/** The user of an event with `<prefix>user_id/_login/_name`, or `anonymous`. */
function userOf(event: EventData, prefix = ''): { user_id: string; user_name: string; display_name?: string } {
  const id = str(event[`${prefix}user_id`])
  const login = str(event[`${prefix}user_login`])
  const name = str(event[`${prefix}user_name`])
  if (!id || !login) return { user_id: 'anonymous', user_name: 'anonymous', display_name: 'Anonymous' }
  return { user_id: id, user_name: login, ...(name ? { display_name: name } : {}) }
}

/**
 * The router event of one notification, or undefined for a subscription type waddlebot does not map.
 * `messageId` (Twitch-Eventsub-Message-Id) becomes the event's message id.
 */
export function eventSubToEvent(
  subscriptionType: string,
  event: EventData,
  messageId: string,
): InboundEvent | undefined {
  const type = EVENTSUB_TYPES[subscriptionType]
  if (!type) return undefined
  const raid = subscriptionType === 'channel.raid'
  const channel = str(raid ? event['to_broadcaster_user_login'] : event['broadcaster_user_login'])
  if (!channel) return undefined
  const login = channel.toLowerCase()
  const stream = subscriptionType.startsWith('stream.')
  const user = raid ? userOf(event, 'from_broadcaster_') : stream ? userOf(event, 'broadcaster_') : userOf(event)
  const metadata: Record<string, unknown> = {
    eventsub_type: subscriptionType,
    broadcaster_id: str(raid ? event['to_broadcaster_user_id'] : event['broadcaster_user_id']),
  }
  let message: string | undefined
  switch (type) {
    case 'subscription':
      Object.assign(metadata, pick(event, ['tier', 'is_gift']))
      break
    case 'subgift':
      Object.assign(metadata, pick(event, ['tier', 'total', 'cumulative_total', 'is_anonymous']))
      break
    case 'resub':
      Object.assign(metadata, pick(event, ['tier', 'cumulative_months', 'streak_months', 'duration_months']))
      message = str((event['message'] as EventData | undefined)?.['text'])
      break
    case 'cheer':
      Object.assign(metadata, pick(event, ['bits', 'is_anonymous']))
      message = str(event['message'])
      break
    case 'raid':
      Object.assign(metadata, pick(event, ['viewers']))
      break
    case 'stream_online':
      Object.assign(metadata, pick(event, ['type', 'started_at']), { stream_id: str(event['id']) })
      break
    case 'follow':
      Object.assign(metadata, pick(event, ['followed_at']))
      break
    case 'redemption': {
      const reward = (event['reward'] ?? {}) as EventData
      Object.assign(metadata, {
        redemption_id: str(event['id']),
        reward_id: str(reward['id']),
        reward_title: str(reward['title']),
        reward_cost: reward['cost'],
      })
      message = str(event['user_input'])
      break
    }
  }
  return {
    platform: 'twitch',
    server_id: login,
    channel_id: login,
    entity_id: twitchEntityId(login),
    ...user,
    ...(message ? { message } : {}),
    message_id: messageId,
    message_type: type,
    metadata: Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== undefined)),
  }
}
