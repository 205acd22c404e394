/**
 * An EventSub sender that signs like Twitch: builds the JSON body of a notification / verification /
 * revocation, the `Twitch-Eventsub-*` headers and `sha256=HMAC(secret, id + timestamp + body)`, and POSTs
 * it to a webhook URL. Options forge what an attacker or a replay would send (wrong secret, old
 * timestamp, reused id).
 */
import { createHmac, randomUUID } from 'node:crypto'

export type EventSubMessageType = 'notification' | 'webhook_callback_verification' | 'revocation'

export interface EventSubMessage {
  readonly type?: EventSubMessageType
  /** e.g. `channel.follow` */
  readonly subscriptionType: string
  readonly event?: Readonly<Record<string, unknown>>
  readonly challenge?: string
  /** Default: a fresh UUID (reuse one to replay / duplicate). */
  readonly id?: string
  /** Default: now, RFC 3339 with nanoseconds as Twitch sends it. */
  readonly timestamp?: string
  /** Sign with this secret instead (forgery). */
  readonly signWith?: string
  /** Send this signature header instead of computing one. */
  readonly signature?: string
}

export interface SignedRequest {
  readonly headers: Record<string, string>
  readonly body: string
  readonly id: string
}

/** `sha256=<hex>` as Twitch computes it. */
export function signEventSub(secret: string, id: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret)
    .update(id + timestamp + body)
    .digest('hex')}`
}

/** A Twitch-style timestamp `ms` before now (e.g. `twitchTimestamp(11 * 60_000)` is 11 min old). */
export function twitchTimestamp(agoMs = 0): string {
  return new Date(Date.now() - agoMs).toISOString().replace(/\.(\d{3})Z$/, '.$1234567Z')
}

/** The body and headers of one EventSub message. */
export function eventSubRequest(secret: string, m: EventSubMessage): SignedRequest {
  const id = m.id ?? randomUUID()
  const timestamp = m.timestamp ?? twitchTimestamp()
  const type = m.type ?? 'notification'
  const subscription = {
    id: `sub-${m.subscriptionType}`,
    status:
      type === 'revocation'
        ? 'authorization_revoked'
        : type === 'webhook_callback_verification'
          ? 'webhook_callback_verification_pending'
          : 'enabled',
    type: m.subscriptionType,
    version: m.subscriptionType === 'channel.follow' ? '2' : '1',
    cost: 0,
    condition: {},
    transport: { method: 'webhook', callback: 'https://example.com/twitch/eventsub' },
    created_at: '2024-01-01T00:00:00.000000000Z',
  }
  const payload =
    type === 'webhook_callback_verification'
      ? { challenge: m.challenge ?? randomUUID(), subscription }
      : type === 'revocation'
        ? { subscription }
        : { subscription, event: m.event ?? {} }
  const body = JSON.stringify(payload)
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-retry': '0',
      'twitch-eventsub-message-type': type,
      'twitch-eventsub-message-signature': m.signature ?? signEventSub(m.signWith ?? secret, id, timestamp, body),
      'twitch-eventsub-message-timestamp': timestamp,
      'twitch-eventsub-subscription-type': m.subscriptionType,
      'twitch-eventsub-subscription-version': subscription.version,
    },
  }
}

/** POSTs one EventSub message to `url` (e.g. `http://127.0.0.1:8002/twitch/eventsub`). */
export async function sendEventSub(
  url: string,
  secret: string,
  m: EventSubMessage,
): Promise<{ status: number; body: string; contentType: string | null; id: string }> {
  const req = eventSubRequest(secret, m)
  const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body })
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type'), id: req.id }
}

/** Event payloads as Twitch sends them, for a broadcaster `channel` and a user `user`. */
export const eventSubEvents = {
  follow: (channel: string, user: string, ids: (l: string) => string) => ({
    user_id: ids(user),
    user_login: user,
    user_name: user,
    broadcaster_user_id: ids(channel),
    broadcaster_user_login: channel,
    broadcaster_user_name: channel,
    followed_at: new Date().toISOString(),
  }),
  raid: (channel: string, from: string, viewers: number, ids: (l: string) => string) => ({
    from_broadcaster_user_id: ids(from),
    from_broadcaster_user_login: from,
    from_broadcaster_user_name: from,
    to_broadcaster_user_id: ids(channel),
    to_broadcaster_user_login: channel,
    to_broadcaster_user_name: channel,
    viewers,
  }),
  cheer: (channel: string, user: string, bits: number, ids: (l: string) => string) => ({
    is_anonymous: false,
    user_id: ids(user),
    user_login: user,
    user_name: user,
    broadcaster_user_id: ids(channel),
    broadcaster_user_login: channel,
    broadcaster_user_name: channel,
    message: `Cheer${bits} nice`,
    bits,
  }),
  streamOnline: (channel: string, ids: (l: string) => string) => ({
    id: '9001',
    broadcaster_user_id: ids(channel),
    broadcaster_user_login: channel,
    broadcaster_user_name: channel,
    type: 'live',
    started_at: new Date().toISOString(),
  }),
}
