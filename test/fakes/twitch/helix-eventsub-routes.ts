/**
 * The fake Helix's EventSub part, as Twitch behaves: `POST /eventsub/subscriptions` (user token for
 * websocket, app token for webhook; the session must be connected; the authorizing user must have granted
 * the scope, else 403; 409 for a duplicate; webhooks start `webhook_callback_verification_pending` and the
 * fake then sends the signed challenge to the callback), `GET` (filters, pages of `first`), `DELETE ?id=`.
 * Plus Twitch's auth server: `GET /oauth2/validate` and the client-credentials `POST /oauth2/token`.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { signEventSub, twitchTimestamp } from './eventsub.js'
import type { FakeEventSubWs, FakeSubscription } from './eventsub-ws-server.js'

/** What each type needs (kept apart from the collector's own table on purpose). */
const TYPES: Record<string, { version: string; scopes: string[]; by: 'broadcaster' | 'moderator' | 'none' }> = {
  'channel.follow': { version: '2', scopes: ['moderator:read:followers'], by: 'moderator' },
  'channel.subscribe': { version: '1', scopes: ['channel:read:subscriptions'], by: 'broadcaster' },
  'channel.subscription.gift': { version: '1', scopes: ['channel:read:subscriptions'], by: 'broadcaster' },
  'channel.subscription.message': { version: '1', scopes: ['channel:read:subscriptions'], by: 'broadcaster' },
  'channel.cheer': { version: '1', scopes: ['bits:read'], by: 'broadcaster' },
  'channel.raid': { version: '1', scopes: [], by: 'none' },
  'stream.online': { version: '1', scopes: [], by: 'none' },
  'stream.offline': { version: '1', scopes: [], by: 'none' },
  'channel.channel_points_custom_reward_redemption.add': {
    version: '1',
    scopes: ['channel:read:redemptions', 'channel:manage:redemptions'],
    by: 'broadcaster',
  },
}

export interface FakeAuth {
  readonly clientId: string
  readonly clientSecret: string
  /** The user token and its user and scopes. */
  readonly token: string
  readonly tokenLogin: string
  readonly tokenUserId: string
  scopes: string[]
  readonly appToken: string
}

type Reply = (status: number, json?: unknown) => void
/** Answers an error as Helix does; true (the route was handled). */
const bad = (reply: Reply, status: number, message: string): true => {
  reply(status, {
    error: status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : status === 409 ? 'Conflict' : 'Bad Request',
    status,
    message,
  })
  return true
}
const publicView = (s: FakeSubscription) => {
  const { secret: _secret, ...transport } = s.transport
  return { ...s, transport }
}

/** `GET /oauth2/validate`, `POST /oauth2/token`; false when the route is not one of them. */
export function authRoute(
  route: string,
  headers: Record<string, string | string[] | undefined>,
  raw: string,
  auth: FakeAuth,
  reply: Reply,
): boolean {
  if (route === 'GET /oauth2/validate') {
    if (headers.authorization !== `OAuth ${auth.token}`) bad(reply, 401, 'invalid access token')
    else
      reply(200, {
        client_id: auth.clientId,
        login: auth.tokenLogin,
        user_id: auth.tokenUserId,
        scopes: auth.scopes,
        expires_in: 14_000,
      })
    return true
  }
  if (route === 'POST /oauth2/token') {
    const form = new URLSearchParams(raw)
    if (
      form.get('grant_type') !== 'client_credentials' ||
      form.get('client_id') !== auth.clientId ||
      form.get('client_secret') !== auth.clientSecret
    )
      bad(reply, 400, 'invalid client secret')
    else reply(200, { access_token: auth.appToken, expires_in: 5_000_000, token_type: 'bearer' })
    return true
  }
  return false
}

/** The `/eventsub/subscriptions` routes; false when the route is not one of them. */
export function eventSubRoute(
  route: string,
  q: URLSearchParams,
  body: unknown,
  bearer: string,
  auth: FakeAuth,
  store: FakeSubscription[],
  ws: FakeEventSubWs | undefined,
  reply: Reply,
): boolean {
  const app = bearer === auth.appToken
  if (route === 'GET /eventsub/subscriptions') {
    const visible = store.filter((s) => (app ? s.transport.method === 'webhook' : s.transport.method === 'websocket'))
    const matching = visible.filter(
      (s) =>
        (!q.get('status') || s.status === q.get('status')) &&
        (!q.get('type') || s.type === q.get('type')) &&
        (!q.get('user_id') || Object.values(s.condition).includes(q.get('user_id')!)),
    )
    const first = Number(q.get('first') ?? 100)
    const from = Number(q.get('after') ?? 0)
    const page = matching.slice(from, from + first)
    const next = from + first < matching.length ? String(from + first) : undefined
    const totalCost = visible
      .filter((s) => s.status === 'enabled' || s.status.endsWith('_pending'))
      .reduce((n, s) => n + s.cost, 0)
    reply(200, {
      data: page.map(publicView),
      total: matching.length,
      total_cost: totalCost,
      max_total_cost: 10_000,
      pagination: next ? { cursor: next } : {},
    })
    return true
  }
  if (route === 'DELETE /eventsub/subscriptions') {
    const id = q.get('id')
    const i = store.findIndex((s) => s.id === id)
    if (!id) bad(reply, 400, 'Missing required parameter "id"')
    else if (i < 0) bad(reply, 404, 'subscription not found')
    else {
      store.splice(i, 1)
      reply(204)
    }
    return true
  }
  if (route !== 'POST /eventsub/subscriptions') return false
  const b = (body ?? {}) as {
    type?: string
    version?: string
    condition?: Record<string, string>
    transport?: { method?: string; session_id?: string; callback?: string; secret?: string }
  }
  const spec = b.type ? TYPES[b.type] : undefined
  if (!spec || b.version !== spec.version) return bad(reply, 400, `unsupported type/version ${b.type} ${b.version}`)
  if (!b.condition || typeof b.condition !== 'object') return bad(reply, 400, 'missing condition')
  const t = b.transport
  if (t?.method === 'websocket') {
    if (app) return bad(reply, 400, 'websocket transports require a user access token')
    if (!t.session_id || !ws?.hasSession(t.session_id))
      return bad(reply, 400, 'websocket transport session does not exist or has already disconnected')
  } else if (t?.method === 'webhook') {
    if (!app) return bad(reply, 400, 'webhook transports require an app access token')
    if (!t.callback?.startsWith('http') || !t.secret || t.secret.length < 10)
      return bad(reply, 400, 'invalid transport callback or secret')
  } else return bad(reply, 400, 'invalid transport method')
  const who = spec.by === 'moderator' ? b.condition['moderator_user_id'] : b.condition['broadcaster_user_id']
  const granted =
    spec.scopes.length === 0 || (spec.scopes.some((s) => auth.scopes.includes(s)) && (app || who === auth.tokenUserId))
  if (!granted) return bad(reply, 403, 'subscription missing proper authorization')
  const same = (s: FakeSubscription) =>
    s.type === b.type &&
    JSON.stringify(s.condition) === JSON.stringify(b.condition) &&
    s.transport.method === t.method &&
    (s.transport.session_id ?? s.transport.callback) === (t.session_id ?? t.callback)
  if (store.some((s) => same(s) && (s.status === 'enabled' || s.status.endsWith('_pending'))))
    return bad(reply, 409, 'subscription already exists')
  const sub: FakeSubscription = {
    id: randomUUID(),
    status: t.method === 'webhook' ? 'webhook_callback_verification_pending' : 'enabled',
    type: b.type!,
    version: spec.version,
    condition: b.condition,
    transport:
      t.method === 'webhook'
        ? { method: 'webhook', callback: t.callback!, secret: t.secret! }
        : { method: 'websocket', session_id: t.session_id! },
    cost: spec.scopes.length === 0 ? 1 : 0,
    created_at: new Date().toISOString(),
  }
  store.push(sub)
  if (t.method === 'webhook') void verifyCallback(sub)
  reply(202, {
    data: [publicView(sub)],
    total: store.length,
    total_cost: store.reduce((n, s) => n + s.cost, 0),
    max_total_cost: 10_000,
  })
  return true
}

/** Sends the signed challenge as Twitch does; enabled when the callback echoes it. */
async function verifyCallback(sub: FakeSubscription): Promise<void> {
  const challenge = randomBytes(12).toString('hex')
  const id = randomUUID()
  const timestamp = twitchTimestamp()
  const body = JSON.stringify({ challenge, subscription: { ...publicView(sub) } })
  try {
    const res = await fetch(sub.transport.callback!, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'twitch-eventsub-message-id': id,
        'twitch-eventsub-message-timestamp': timestamp,
        'twitch-eventsub-message-retry': '0',
        'twitch-eventsub-message-type': 'webhook_callback_verification',
        'twitch-eventsub-message-signature': signEventSub(sub.transport.secret!, id, timestamp, body),
        'twitch-eventsub-subscription-type': sub.type,
        'twitch-eventsub-subscription-version': sub.version,
      },
    })
    sub.status =
      res.status === 200 && (await res.text()) === challenge ? 'enabled' : 'webhook_callback_verification_failed'
  } catch {
    sub.status = 'webhook_callback_verification_failed'
  }
}
