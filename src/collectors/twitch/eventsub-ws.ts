/**
 * EventSub over WebSocket (TWITCH_EVENTSUB_WS_URL, default wss://eventsub.wss.twitch.tv/ws): one session,
 * no public endpoint. The first message, `session_welcome`, names the session the subscriptions are created
 * for. Any message proves the connection alive; silence longer than the keepalive timeout (plus a margin)
 * means the connection is dead: it is closed and a new session opened (whose subscriptions the caller
 * re-creates). `session_reconnect` names a URL to move to: the new connection is opened while the old one
 * keeps delivering, and the old one is closed only once the new one has said welcome, so nothing is lost
 * (what both deliver twice is dropped by the message-id dedup). The subscriptions move with the session.
 */
import WebSocket from 'ws'
import type { Logger } from '../../runtime/logger.js'

export interface EventSubWsMessage {
  readonly metadata: {
    readonly message_id: string
    readonly message_type: string
    readonly message_timestamp?: string
    readonly subscription_type?: string
  }
  readonly payload: {
    readonly session?: {
      readonly id?: string
      readonly keepalive_timeout_seconds?: number | null
      readonly reconnect_url?: string | null
    }
    readonly subscription?: Readonly<Record<string, unknown>>
    readonly event?: Readonly<Record<string, unknown>>
  }
}

export interface EventSubWsOptions {
  readonly url: string
  /** Asked of Twitch as `keepalive_timeout_seconds`. */
  readonly keepaliveSeconds?: number
  readonly log: Logger
  /** A session is ready; `moved` is true after a session_reconnect (its subscriptions carried over). */
  onSession(sessionId: string, moved: boolean): void
  onNotification(message: EventSubWsMessage): void
  onRevocation(subscription: Readonly<Record<string, unknown>>): void
  /** The session is gone (closed, or silent too long); a new one is being opened. */
  onLost?(reason: string): void
}

export interface EventSubWs {
  start(): void
  stop(): Promise<void>
  sessionId(): string | undefined
  state(): 'connecting' | 'connected' | 'reconnecting' | 'stopped'
}

/** Extra silence allowed beyond the keepalive timeout before the connection counts as dead. */
const KEEPALIVE_MARGIN = 0.5
const MAX_BACKOFF_MS = 30_000

export function createEventSubWs(o: EventSubWsOptions): EventSubWs {
  let current: WebSocket | undefined
  let session: string | undefined
  let stopped = true
  let watchdog: NodeJS.Timeout | undefined
  let retry: NodeJS.Timeout | undefined
  let failures = 0
  let state: ReturnType<EventSubWs['state']> = 'stopped'

  const initialUrl = () => {
    if (!o.keepaliveSeconds) return o.url
    const u = new URL(o.url)
    u.searchParams.set('keepalive_timeout_seconds', String(o.keepaliveSeconds))
    return u.toString()
  }

  const arm = (ws: WebSocket, seconds: number) => {
    clearTimeout(watchdog)
    watchdog = setTimeout(
      () => {
        if (ws !== current || stopped) return
        o.log.warn({ seconds }, 'EventSub WebSocket: no keepalive; reconnecting')
        ws.terminate()
      },
      seconds * 1000 * (1 + KEEPALIVE_MARGIN),
    )
    watchdog.unref()
  }

  const lost = (reason: string) => {
    session = undefined
    clearTimeout(watchdog)
    if (stopped) return
    state = 'reconnecting'
    o.onLost?.(reason)
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++)
    retry = setTimeout(() => open(initialUrl(), false), delay)
    retry.unref()
  }

  function open(url: string, moving: boolean): void {
    if (stopped) return
    if (!moving) state = 'connecting'
    const ws = new WebSocket(url)
    let keepalive = o.keepaliveSeconds ?? 10
    let welcomed = false
    ws.on('message', (data) => {
      let m: EventSubWsMessage
      try {
        m = JSON.parse(data.toString()) as EventSubWsMessage
      } catch {
        o.log.warn('EventSub WebSocket: unreadable message ignored')
        return
      }
      if (ws === current) arm(ws, keepalive)
      switch (m.metadata?.message_type) {
        case 'session_welcome': {
          const id = m.payload.session?.id
          if (!id || welcomed) return
          welcomed = true
          keepalive = m.payload.session?.keepalive_timeout_seconds ?? keepalive
          const previous = current
          current = ws
          session = id
          failures = 0
          state = 'connected'
          arm(ws, keepalive)
          if (moving && previous && previous !== ws) previous.close(1000)
          o.log.info({ session: id, moved: moving, keepalive }, 'EventSub WebSocket session ready')
          o.onSession(id, moving)
          return
        }
        case 'session_keepalive':
          return
        case 'session_reconnect': {
          const next = m.payload.session?.reconnect_url
          if (!next || ws !== current) return
          o.log.info({ session: session }, 'EventSub WebSocket: moving to a new connection')
          open(next, true)
          return
        }
        case 'notification':
          o.onNotification(m)
          return
        case 'revocation':
          o.onRevocation(m.payload.subscription ?? {})
          return
        default:
          o.log.debug({ type: m.metadata?.message_type }, 'EventSub WebSocket: message of an unknown type ignored')
      }
    })
    ws.on('close', (code, reason) => {
      if (ws !== current) {
        // A moving connection that failed before its welcome: keep the old one, which Twitch closes later.
        if (!welcomed && moving) o.log.warn({ code }, 'EventSub WebSocket: the reconnect URL failed')
        return
      }
      current = undefined
      if (!stopped) o.log.warn({ code, reason: reason.toString() }, 'EventSub WebSocket closed; opening a new session')
      lost(`closed (${code})`)
    })
    ws.on('error', (err) => o.log.debug({ err: err.message }, 'EventSub WebSocket error'))
    if (!moving) {
      current = ws
      arm(ws, keepalive)
    }
  }

  return {
    start() {
      if (!stopped) return
      stopped = false
      open(initialUrl(), false)
    },
    async stop() {
      stopped = true
      state = 'stopped'
      clearTimeout(watchdog)
      clearTimeout(retry)
      const ws = current
      current = undefined
      session = undefined
      if (!ws || ws.readyState === WebSocket.CLOSED) return
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve())
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate()
        else ws.close(1000)
        setTimeout(() => {
          ws.terminate()
          resolve()
        }, 2000).unref()
      })
    },
    sessionId: () => session,
    state: () => state,
  }
}
