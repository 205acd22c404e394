/**
 * The EventSub subscription types the bot can create per channel: version, the condition Twitch wants and
 * the scope the authorizing user must have granted. `eventsub_types` in the config picks from these.
 */

export interface EventSubTypeSpec {
  readonly version: string
  /** Any one of these scopes is enough; none means no authorization is needed. */
  readonly scopes: readonly string[]
  /** Who must have granted the scope: the channel's broadcaster, or the moderator (the bot) named in the condition. */
  readonly authorizedBy: 'broadcaster' | 'moderator' | 'none'
  readonly condition: (ids: { broadcaster: string; bot: string }) => Record<string, string>
}

const broadcaster = ({ broadcaster }: { broadcaster: string }) => ({ broadcaster_user_id: broadcaster })

export const EVENTSUB_CATALOGUE: Readonly<Record<string, EventSubTypeSpec>> = {
  'channel.follow': {
    version: '2',
    scopes: ['moderator:read:followers'],
    authorizedBy: 'moderator',
    condition: ({ broadcaster, bot }) => ({ broadcaster_user_id: broadcaster, moderator_user_id: bot }),
  },
  'channel.subscribe': {
    version: '1',
    scopes: ['channel:read:subscriptions'],
    authorizedBy: 'broadcaster',
    condition: broadcaster,
  },
  'channel.subscription.gift': {
    version: '1',
    scopes: ['channel:read:subscriptions'],
    authorizedBy: 'broadcaster',
    condition: broadcaster,
  },
  'channel.subscription.message': {
    version: '1',
    scopes: ['channel:read:subscriptions'],
    authorizedBy: 'broadcaster',
    condition: broadcaster,
  },
  'channel.cheer': { version: '1', scopes: ['bits:read'], authorizedBy: 'broadcaster', condition: broadcaster },
  'channel.raid': {
    version: '1',
    scopes: [],
    authorizedBy: 'none',
    condition: ({ broadcaster }) => ({ to_broadcaster_user_id: broadcaster }),
  },
  'stream.online': { version: '1', scopes: [], authorizedBy: 'none', condition: broadcaster },
  'stream.offline': { version: '1', scopes: [], authorizedBy: 'none', condition: broadcaster },
  'channel.channel_points_custom_reward_redemption.add': {
    version: '1',
    scopes: ['channel:read:redemptions', 'channel:manage:redemptions'],
    authorizedBy: 'broadcaster',
    condition: broadcaster,
  },
}

/** The default `eventsub_types`: everything in the catalogue. */
export const DEFAULT_EVENTSUB_TYPES = Object.keys(EVENTSUB_CATALOGUE)

/** The channel (broadcaster id) a subscription's condition is about. */
export function channelIdOfCondition(condition: Readonly<Record<string, string>>): string | undefined {
  return condition['broadcaster_user_id'] ?? condition['to_broadcaster_user_id']
}

/**
 * Why the bot's own token cannot authorize `type` on a channel, or undefined when it can (or when only
 * Twitch can tell: the broadcaster is someone else, whose grant the bot cannot see).
 */
export function missingScope(
  type: string,
  token: { user_id?: string | undefined; scopes: readonly string[] } | undefined,
  broadcasterId: string,
): string | undefined {
  const spec = EVENTSUB_CATALOGUE[type]
  if (!spec || !token || spec.scopes.length === 0) return undefined
  if (spec.authorizedBy === 'broadcaster' && token.user_id !== broadcasterId) return undefined
  return spec.scopes.some((s) => token.scopes.includes(s)) ? undefined : spec.scopes.join(' or ')
}

/** Statuses of a subscription that will never deliver again: deleted and re-created by the repair. */
export const FAILED_STATUSES = new Set([
  'webhook_callback_verification_failed',
  'notification_failures_exceeded',
  'authorization_revoked',
  'moderator_removed',
  'user_removed',
  'version_removed',
  'beta_maintenance',
  'websocket_disconnected',
  'websocket_failed_ping_pong',
  'websocket_received_inbound_traffic',
  'websocket_connection_unused',
  'websocket_internal_error',
  'websocket_network_timeout',
  'websocket_network_error',
  'websocket_failed_to_reconnect',
])
