/**
 * IRC USERNOTICE → router events, shaped as EventSub's (eventsub-map.ts) so a module cannot tell which way
 * a sub or raid came: `sub` → subscription, `resub` → resub, `submysterygift` → subgift (the gifter, with the
 * total), each `subgift` → subscription (the recipient, `is_gift`) and, for a single gift, also subgift,
 * `raid` → raid (the raider, `viewers`), `announcement` → announcement. eventsub-intake.ts keeps a fact
 * that also arrives over EventSub to one event.
 */
import type { InboundEvent } from '../../contract/events.js'
import { channelLogin, rolesOf, type TwitchTags, twitchEntityId } from './normalize.js'

/** Twitch's account for anonymous gifts. */
const ANONYMOUS_GIFTER = 'ananonymousgifter'

/** Tag values arrive escaped (`\s` = space, `\:` = `;`). */
function tag(tags: TwitchTags, name: string): string | undefined {
  const v = tags[name]
  if (typeof v !== 'string' || v === '') return undefined
  return v.replace(/\\s/g, ' ').replace(/\\:/g, ';').replace(/\\\\/g, '\\')
}
const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined)
const tierOf = (plan: string | undefined) => (plan === 'Prime' ? '1000' : plan)

/** The router events of one USERNOTICE (none for kinds waddlebot does not map). */
export function userNoticeEvents(channel: string, tags: TwitchTags, text: string | undefined): InboundEvent[] {
  const login = channelLogin(channel)
  const kind = tag(tags, 'msg-id')
  const id = tag(tags, 'id') ?? `${kind}-${tag(tags, 'tmi-sent-ts') ?? ''}`
  const anonymous = tag(tags, 'login') === ANONYMOUS_GIFTER
  const sender = anonymous
    ? { user_id: 'anonymous', user_name: 'anonymous', display_name: 'Anonymous' }
    : {
        user_id: tag(tags, 'user-id') ?? tag(tags, 'login') ?? 'unknown',
        user_name: tag(tags, 'login') ?? 'unknown',
        ...(tag(tags, 'display-name') ? { display_name: tag(tags, 'display-name')! } : {}),
      }
  const base = (
    type: string,
    user: Pick<InboundEvent, 'user_id' | 'user_name' | 'display_name'>,
    metadata: Record<string, unknown>,
    messageId = id,
    message?: string,
  ): InboundEvent => ({
    platform: 'twitch',
    server_id: login,
    channel_id: login,
    entity_id: twitchEntityId(login),
    user_id: user.user_id,
    user_name: user.user_name,
    ...(user.display_name ? { display_name: user.display_name } : {}),
    ...(message ? { message } : {}),
    message_id: messageId,
    message_type: type,
    ...(user === sender && !anonymous ? { roles: rolesOf(tags) } : {}),
    metadata: Object.fromEntries(
      Object.entries({ usernotice: kind, broadcaster_id: tag(tags, 'room-id'), ...metadata }).filter(
        ([, v]) => v !== undefined,
      ),
    ),
  })
  const tier = tierOf(tag(tags, 'msg-param-sub-plan'))
  switch (kind) {
    case 'sub':
      return [base('subscription', sender, { tier, is_gift: false })]
    case 'resub':
      return [
        base(
          'resub',
          sender,
          {
            tier,
            cumulative_months: num(tag(tags, 'msg-param-cumulative-months')),
            streak_months: num(tag(tags, 'msg-param-streak-months')),
          },
          id,
          text,
        ),
      ]
    case 'submysterygift':
      return [
        base('subgift', sender, {
          tier,
          total: num(tag(tags, 'msg-param-mass-gift-count')),
          cumulative_total: anonymous ? undefined : num(tag(tags, 'msg-param-sender-count')),
          is_anonymous: anonymous,
        }),
      ]
    case 'subgift': {
      const recipientLogin = tag(tags, 'msg-param-recipient-user-name')
      const recipient = {
        user_id: tag(tags, 'msg-param-recipient-id') ?? recipientLogin ?? 'unknown',
        user_name: recipientLogin ?? 'unknown',
        display_name: tag(tags, 'msg-param-recipient-display-name'),
      }
      const sub = base('subscription', recipient, { tier, is_gift: true }, `${id}:recipient`)
      // Part of a mystery gift (its submysterygift already counted the gift) or a single gift.
      if (tag(tags, 'msg-param-community-gift-id')) return [sub]
      return [base('subgift', sender, { tier, total: 1, is_anonymous: anonymous }), sub]
    }
    case 'raid':
      return [
        base(
          'raid',
          {
            user_id: tag(tags, 'user-id') ?? 'unknown',
            user_name: tag(tags, 'msg-param-login') ?? tag(tags, 'login') ?? 'unknown',
            display_name: tag(tags, 'msg-param-displayName'),
          },
          { viewers: num(tag(tags, 'msg-param-viewerCount')) },
        ),
      ]
    case 'announcement':
      return text ? [base('announcement', sender, { color: tag(tags, 'msg-param-color') }, id, text)] : []
    default:
      return []
  }
}
