/**
 * A fake EventSub WebSocket server (TWITCH_EVENTSUB_WS_URL) on 127.0.0.1, port 0, speaking Twitch's
 * protocol: `session_welcome` on connect (with the session id the fake Helix checks subscriptions
 * against), `session_keepalive` every `keepaliveSeconds / 2`, `notification` to the session of each
 * enabled websocket subscription that matches, `session_reconnect` with a reconnect URL (a connection
 * there gets the same session and its subscriptions), `revocation`. A session whose connection closes
 * has its subscriptions marked `websocket_disconnected`, as Twitch does. The subscription store is shared
 * with the fake Helix (`startFakeHelix({ eventSub })`).
 */
import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'

export interface FakeSubscription {
  readonly id: string
  status: string
  readonly type: string
  readonly version: string
  readonly condition: Readonly<Record<string, string>>
  readonly transport: {
    readonly method: string
    readonly session_id?: string
    readonly callback?: string
    readonly secret?: string
  }
  readonly cost: number
  readonly created_at: string
}

export interface FakeEventSubWs {
  /** `ws://127.0.0.1:<port>/ws` */
  readonly url: string
  /** Every subscription (shared with the fake Helix). */
  readonly subscriptions: FakeSubscription[]
  /** Every message sent to clients, with the connection number. */
  readonly sent: { conn: number; message: Record<string, unknown> }[]
  /** Connection numbers opened so far, with the query they used. */
  readonly connections: { conn: number; query: URLSearchParams }[]
  /** Whether `id` is a session with an open connection. */
  hasSession(id: string): boolean
  /** Sessions with an open connection. */
  sessionIds(): string[]
  /** Sends a notification to every matching enabled websocket subscription; returns the message ids sent. */
  notify(type: string, event: Readonly<Record<string, unknown>>, options?: { id?: string }): string[]
  /** Sends `session_reconnect` to the session's connection. */
  reconnect(sessionId: string): void
  /** Revokes a subscription (revocation message to its session; status set, as Twitch does). */
  revoke(subscriptionId: string, status: string): void
  /** Stops (false) or resumes (true) keepalives. */
  setKeepalives(on: boolean): void
  close(): Promise<void>
}

interface Conn {
  readonly id: number
  readonly ws: WebSocket
  session: string
  timer?: NodeJS.Timeout
}

const stamp = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1234567Z')
const channelOf = (c: Readonly<Record<string, unknown>>) =>
  (c['broadcaster_user_id'] ?? c['to_broadcaster_user_id']) as string | undefined

export async function startFakeEventSubWs(options: { keepaliveSeconds?: number } = {}): Promise<FakeEventSubWs> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const port = (wss.address() as AddressInfo).port
  const url = `ws://127.0.0.1:${port}/ws`
  const subscriptions: FakeSubscription[] = []
  const sent: FakeEventSubWs['sent'] = []
  const connections: FakeEventSubWs['connections'] = []
  const current = new Map<string, Conn>() // session → the connection that receives its messages
  let ids = 0
  let keepalives = true

  const send = (
    c: Conn,
    message_type: string,
    payload: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    id: string = randomUUID(),
  ) => {
    const message = { metadata: { message_id: id, message_type, message_timestamp: stamp(), ...extra }, payload }
    sent.push({ conn: c.id, message })
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(message))
    return id
  }
  const session = (id: string, status: string, keepalive: number | null, reconnect_url: string | null = null) => ({
    session: { id, status, connected_at: stamp(), keepalive_timeout_seconds: keepalive, reconnect_url },
  })

  wss.on('connection', (ws, req) => {
    const query = new URL(req.url ?? '/', 'http://fake').searchParams
    const c: Conn = { id: ++ids, ws, session: query.get('reconnect') ?? `session-${randomUUID()}` }
    connections.push({ conn: c.id, query })
    const asked = Number(query.get('keepalive_timeout_seconds') ?? 10)
    const keepalive = options.keepaliveSeconds ?? asked
    current.set(c.session, c)
    send(c, 'session_welcome', session(c.session, 'connected', keepalive))
    c.timer = setInterval(
      () => {
        if (keepalives && current.get(c.session) === c) send(c, 'session_keepalive', {})
      },
      (keepalive * 1000) / 2,
    )
    ws.on('close', () => {
      clearInterval(c.timer)
      if (current.get(c.session) !== c) return
      current.delete(c.session)
      for (const s of subscriptions)
        if (s.transport.session_id === c.session && s.status === 'enabled') s.status = 'websocket_disconnected'
    })
  })

  return {
    url,
    subscriptions,
    sent,
    connections,
    hasSession: (id) => current.has(id),
    sessionIds: () => [...current.keys()],
    notify(type, event, o = {}) {
      const out: string[] = []
      for (const s of subscriptions) {
        const c = s.transport.session_id ? current.get(s.transport.session_id) : undefined
        if (!c || s.status !== 'enabled' || s.type !== type || channelOf(s.condition) !== channelOf(event)) continue
        const { secret: _secret, ...transport } = s.transport
        out.push(
          send(
            c,
            'notification',
            { subscription: { ...s, transport }, event },
            { subscription_type: type, subscription_version: s.version },
            o.id,
          ),
        )
      }
      return out
    },
    reconnect(sessionId) {
      const c = current.get(sessionId)
      if (!c) throw new Error(`fake EventSub: no session ${sessionId}`)
      send(
        c,
        'session_reconnect',
        session(sessionId, 'reconnecting', null, `${url}?reconnect=${encodeURIComponent(sessionId)}`),
      )
    },
    revoke(subscriptionId, status) {
      const s = subscriptions.find((x) => x.id === subscriptionId)
      if (!s) throw new Error(`fake EventSub: no subscription ${subscriptionId}`)
      s.status = status
      const c = s.transport.session_id ? current.get(s.transport.session_id) : undefined
      const { secret: _secret, ...transport } = s.transport
      if (c)
        send(
          c,
          'revocation',
          { subscription: { ...s, transport } },
          { subscription_type: s.type, subscription_version: s.version },
        )
    },
    setKeepalives(on) {
      keepalives = on
    },
    async close() {
      for (const c of wss.clients) c.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
