/**
 * The Socket Mode half of the fake Slack: a WebSocket endpoint on the fake Web API's HTTP server (the URL
 * `apps.connections.open` returns). On connect it sends `hello`; tests push envelopes (`events_api`,
 * `slash_commands`, `interactive`) and await the client's ack `{envelope_id, payload}`.
 */
import { randomUUID } from 'node:crypto'
import type { Server } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive'

export interface FakeSocketMode {
  /** `ws://127.0.0.1:<port>/link/` (the fake appends `?ticket=…`). */
  readonly url: string
  /** Open client connections (after `hello`). */
  connections(): number
  /** Resolves once at least one client is connected. */
  connected(timeoutMs?: number): Promise<void>
  /**
   * Sends one envelope to the newest connection and resolves with the client's ack payload
   * (rejects when no ack arrives within `timeoutMs`).
   */
  send(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    extra?: { retry_attempt?: number; retry_reason?: string; timeoutMs?: number },
  ): Promise<Record<string, unknown>>
  /** Every ack received, in order. */
  readonly acks: { envelope_id: string; payload: Record<string, unknown> }[]
  close(): Promise<void>
}

/** Adds the Socket Mode endpoint (`/link/`) to `server`. */
export function attachSocketMode(server: Server, url: string): FakeSocketMode {
  const wss = new WebSocketServer({ noServer: true })
  const open: WebSocket[] = []
  const acks: FakeSocketMode['acks'] = []
  const pending = new Map<string, (payload: Record<string, unknown>) => void>()
  const connectWaiters = new Set<() => void>()

  server.on('upgrade', (req, socket, head) => {
    if (!(req.url ?? '').startsWith('/link/')) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      open.push(ws)
      ws.on('close', () => open.splice(open.indexOf(ws), 1))
      ws.on('message', (data) => {
        let msg: { envelope_id?: string; payload?: Record<string, unknown> }
        try {
          msg = JSON.parse(data.toString()) as typeof msg
        } catch {
          return
        }
        if (!msg.envelope_id) return
        const ack = { envelope_id: msg.envelope_id, payload: msg.payload ?? {} }
        acks.push(ack)
        pending.get(msg.envelope_id)?.(ack.payload)
        pending.delete(msg.envelope_id)
      })
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: open.length,
          debug_info: { host: 'fake' },
          connection_info: { app_id: 'A1' },
        }),
      )
      for (const w of connectWaiters) w()
      connectWaiters.clear()
    })
  })

  return {
    url,
    acks,
    connections: () => open.length,
    connected(timeoutMs = 5000) {
      if (open.length > 0) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`)), timeoutMs)
        connectWaiters.add(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
    send(type, payload, extra = {}) {
      const ws = open.at(-1)
      if (!ws) return Promise.reject(new Error('no Socket Mode client connected'))
      const envelope_id = randomUUID()
      const envelope = {
        envelope_id,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api'
          ? { retry_attempt: extra.retry_attempt ?? 0, retry_reason: extra.retry_reason ?? '' }
          : {}),
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelope_id)
          reject(new Error(`no ack for envelope ${envelope_id} (${type}) within ${extra.timeoutMs ?? 5000} ms`))
        }, extra.timeoutMs ?? 5000)
        pending.set(envelope_id, (p) => {
          clearTimeout(timer)
          resolve(p)
        })
        ws.send(JSON.stringify(envelope))
      })
    },
    async close() {
      for (const ws of open) ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
