/**
 * A fake Discord gateway (v10, JSON, no compression) on 127.0.0.1: HELLO on connect, heartbeat ACKs,
 * READY + one GUILD_CREATE per guild after IDENTIFY, RESUMED after RESUME, and `dispatch` to push any
 * event to every identified session. Records what the clients sent (identify payloads, intents).
 */
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { type FakeWorld, guildCreatePayload, userPayload } from './state.js'

/** A gateway payload (op, data, sequence, event name). */
export interface GatewayFrame {
  readonly op: number
  // biome-ignore lint/suspicious/noExplicitAny: gateway payloads of every shape
  readonly d?: any
  readonly s?: number | null
  readonly t?: string | null
}

/** The running fake gateway. */
export interface FakeGateway {
  readonly url: string
  /** Frames received from clients, in order. */
  readonly received: GatewayFrame[]
  /** Sessions that have identified and got READY. */
  sessions(): number
  /** Sends a dispatch (op 0) event to every identified session. */
  dispatch(t: string, d: unknown): void
  /** Resolves once `n` sessions are identified. */
  waitForSessions(n?: number, timeoutMs?: number): Promise<void>
  /** Closes every client socket with `code` (clients may reconnect). */
  disconnectAll(code?: number): void
  close(): Promise<void>
}

interface Session {
  readonly ws: WebSocket
  seq: number
  identified: boolean
}

/** Starts the fake gateway on 127.0.0.1 (a free port) serving `world`. */
export async function startFakeGateway(world: FakeWorld): Promise<FakeGateway> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
  const received: GatewayFrame[] = []
  const sessions = new Set<Session>()
  const readyWaiters: (() => void)[] = []
  const send = (s: Session, frame: GatewayFrame) => {
    if (s.ws.readyState === s.ws.OPEN) s.ws.send(JSON.stringify(frame))
  }
  const sendDispatch = (s: Session, t: string, d: unknown) => {
    s.seq += 1
    send(s, { op: 0, s: s.seq, t, d })
  }
  const identified = () => [...sessions].filter((s) => s.identified).length
  const notify = () => {
    for (const w of readyWaiters.splice(0)) w()
  }

  wss.on('connection', (ws) => {
    const session: Session = { ws, seq: 0, identified: false }
    sessions.add(session)
    send(session, { op: 10, d: { heartbeat_interval: 41_250 } })
    ws.on('close', () => sessions.delete(session))
    ws.on('message', (raw) => {
      let frame: GatewayFrame
      try {
        frame = JSON.parse(String(raw)) as GatewayFrame
      } catch {
        ws.close(4002, 'Decode error')
        return
      }
      received.push(frame)
      if (frame.op === 1) send(session, { op: 11 })
      else if (frame.op === 2) {
        sendDispatch(session, 'READY', {
          v: 10,
          user: userPayload(world.bot.id, world.bot.username, true),
          private_channels: [],
          guilds: world.guilds.map((g) => ({ id: g.id, unavailable: true })),
          session_id: `session-${Math.random().toString(36).slice(2)}`,
          resume_gateway_url: url,
          application: { id: world.applicationId, flags: 0 },
          shard: frame.d?.shard ?? [0, 1],
        })
        for (const g of world.guilds) sendDispatch(session, 'GUILD_CREATE', guildCreatePayload(g))
        session.identified = true
        notify()
      } else if (frame.op === 6) {
        sendDispatch(session, 'RESUMED', {})
        session.identified = true
        notify()
      }
    })
  })

  return {
    url,
    received,
    sessions: identified,
    dispatch(t, d) {
      for (const s of sessions) if (s.identified) sendDispatch(s, t, d)
    },
    waitForSessions(n = 1, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${identified()} of ${n} gateway sessions within ${timeoutMs} ms`)),
          timeoutMs,
        )
        const check = () => {
          if (identified() >= n) {
            clearTimeout(timer)
            resolve()
          } else readyWaiters.push(check)
        }
        check()
      })
    },
    disconnectAll(code = 4000) {
      for (const s of sessions) s.ws.close(code)
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) s.ws.terminate()
        wss.close(() => resolve())
      }),
  }
}
