/**
 * What Slack sends to an app: signed Events API / slash command / interaction requests, and the payload
 * builders tests use to play a viewer. The signature is computed here independently of the collector:
 * `v0=` + HMAC-SHA256(signingSecret, `v0:${timestamp}:${rawBody}`) hex, timestamp in Unix seconds.
 */
import { createHmac, randomUUID } from 'node:crypto'

/** The headers Slack adds to a request with `rawBody`, signed at `timestampSec` (default now). */
export function signSlackRequest(
  signingSecret: string,
  rawBody: string,
  timestampSec = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`
  return { 'x-slack-request-timestamp': String(timestampSec), 'x-slack-signature': signature }
}

export interface ViewerMessage {
  readonly team?: string
  readonly channel?: string
  readonly user?: string
  readonly text: string
  readonly ts?: string
  readonly thread_ts?: string
  readonly event_id?: string
  readonly channel_type?: 'channel' | 'group' | 'im' | 'mpim'
}

let counter = 0

/** An `event_callback` envelope carrying one `message` event (Events API and Socket Mode payload). */
export function messageEvent(m: ViewerMessage): Record<string, unknown> {
  const team = m.team ?? 'T1'
  const ts = m.ts ?? `1700000000.${String(++counter).padStart(6, '0')}`
  return {
    token: 'verification-token-unused',
    team_id: team,
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: m.event_id ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: team, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: {
      type: 'message',
      channel: m.channel ?? 'C1',
      channel_type: m.channel_type ?? 'channel',
      user: m.user ?? 'U123',
      text: m.text,
      ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      team,
      event_ts: ts,
    },
  }
}

/** Any other `event_callback` (reaction_added, member_joined_channel, …). */
export function callbackEvent(team: string, event: Record<string, unknown>, eventId?: string): Record<string, unknown> {
  return {
    team_id: team,
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: eventId ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  }
}

/** The fields of a slash command invocation (sent form-urlencoded over HTTP, as an object in Socket Mode). */
export function slashCommand(c: {
  team?: string
  channel?: string
  user?: string
  user_name?: string
  command?: string
  text: string
  response_url?: string
}): Record<string, string> {
  return {
    token: 'verification-token-unused',
    team_id: c.team ?? 'T1',
    team_domain: 'fake',
    channel_id: c.channel ?? 'C1',
    channel_name: 'general',
    user_id: c.user ?? 'U123',
    user_name: c.user_name ?? 'alice',
    command: c.command ?? '/waddlebot',
    text: c.text,
    api_app_id: 'A1',
    response_url: c.response_url ?? 'http://127.0.0.1:9/commands/unused',
    trigger_id: `trig.${++counter}`,
  }
}

export interface SignedPost {
  readonly status: number
  readonly body: string
  readonly headers: Headers
}

/**
 * POSTs `body` to `url` as Slack would: JSON for events, form-urlencoded (`payload=` for interactions)
 * otherwise, signed with `signingSecret` unless `headers` overrides the signature/timestamp.
 */
export async function postSigned(
  url: string,
  signingSecret: string,
  body: Record<string, unknown>,
  options: {
    form?: 'json' | 'form' | 'payload'
    timestampSec?: number
    headers?: Record<string, string>
  } = {},
): Promise<SignedPost> {
  const form = options.form ?? 'json'
  const raw =
    form === 'json'
      ? JSON.stringify(body)
      : form === 'payload'
        ? new URLSearchParams({ payload: JSON.stringify(body) }).toString()
        : new URLSearchParams(body as Record<string, string>).toString()
  const contentType = form === 'json' ? 'application/json' : 'application/x-www-form-urlencoded'
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...signSlackRequest(signingSecret, raw, options.timestampSec),
      ...options.headers,
    },
    body: raw,
  })
  return { status: res.status, body: await res.text(), headers: res.headers }
}
