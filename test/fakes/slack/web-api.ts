/**
 * A fake Slack Web API + Socket Mode server on 127.0.0.1 (port 0), for tests that run the REAL @slack/bolt
 * client against it (`clientOptions.slackApiUrl = fake.apiUrl`). Every call `POST /api/<method>` is
 * recorded (form-urlencoded or JSON bodies; `blocks`/`attachments` JSON strings are parsed) and answered
 * like Slack would: `auth.test`, `chat.postMessage` (a new `ts` each time), `chat.postEphemeral`,
 * `chat.update`, `chat.delete` (only the bot's own messages unless `allowDeleteAny`), `conversations.open`
 * (a `D…` channel per user), `conversations.kick`, `apps.connections.open` (the Socket Mode WebSocket URL
 * on this same server; see socket-mode.ts), `users.info`. Tests may override any method with `on()`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse as parseQuery } from 'node:querystring'
import { type FakeSocketMode, attachSocketMode } from './socket-mode.js'

/** One recorded Web API call. */
export interface SlackCall {
  readonly method: string
  /** The bearer token the client sent (without `Bearer `). */
  readonly token: string | undefined
  readonly params: Record<string, unknown>
  readonly headers: IncomingHttpHeaders
}

/** A method handler: returns the JSON body (`ok` is added when missing), or a full reply. */
export type SlackMethodHandler = (call: SlackCall) => Record<string, unknown> | { status: number; body: unknown }

export interface FakeSlackOptions {
  readonly teamId?: string
  readonly botUserId?: string
  readonly botId?: string
  /** The tokens accepted (default: any non-empty). */
  readonly botToken?: string
  readonly appToken?: string
  /** `chat.delete` may delete anyone's message (an admin-scoped token); default false (bot's own only). */
  readonly allowDeleteAny?: boolean
}

export interface FakeSlack {
  /** Base URL for `clientOptions.slackApiUrl` (ends with `/api/`). */
  readonly apiUrl: string
  readonly port: number
  readonly teamId: string
  readonly botUserId: string
  readonly calls: SlackCall[]
  readonly socket: FakeSocketMode
  /** Calls of one method, in order. */
  callsOf(method: string): SlackCall[]
  /** Resolves with the first call (already made or future) of `method` matching `predicate`. */
  waitFor(method: string, predicate?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>
  /** Overrides one method; returns a function that restores the built-in behaviour. */
  on(method: string, handler: SlackMethodHandler): () => void
  close(): Promise<void>
}

interface Waiter {
  method: string
  predicate: (call: SlackCall) => boolean
  resolve: (call: SlackCall) => void
}

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (raw === '') return {}
  const params: Record<string, unknown> = contentType?.includes('application/json')
    ? (JSON.parse(raw) as Record<string, unknown>)
    : { ...parseQuery(raw) }
  for (const key of ['blocks', 'attachments', 'metadata']) {
    const v = params[key]
    if (typeof v === 'string' && /^[[{]/.test(v)) params[key] = JSON.parse(v)
  }
  return params
}

/** Starts the fake Web API (and its Socket Mode WebSocket endpoint) on 127.0.0.1:0. */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const teamId = options.teamId ?? 'T1'
  const botUserId = options.botUserId ?? 'UBOT'
  const botId = options.botId ?? 'BBOT'
  const calls: SlackCall[] = []
  const waiters = new Set<Waiter>()
  const overrides = new Map<string, SlackMethodHandler>()
  const posted = new Map<string, string>() // ts → channel of the bot's own messages
  let seq = 0
  // The bot's messages get timestamps from 1800000000 on, so they never collide with test viewers' (1700000000.*).
  const nextTs = () => `${1_800_000_000 + Math.floor(seq / 1_000_000)}.${String(++seq % 1_000_000).padStart(6, '0')}`
  let socket!: FakeSocketMode

  const tokenOk = (call: SlackCall): boolean => {
    if (!call.token) return false
    if (call.method === 'apps.connections.open')
      return options.appToken === undefined || call.token === options.appToken
    return options.botToken === undefined || call.token === options.botToken
  }

  const builtins: Record<string, SlackMethodHandler> = {
    'auth.test': () => ({
      url: 'https://fake.slack.test/',
      team: 'Fake',
      user: 'waddlebot',
      team_id: teamId,
      user_id: botUserId,
      bot_id: botId,
    }),
    'chat.postMessage': (call) => {
      if (!call.params.channel) return { ok: false, error: 'channel_not_found' }
      if (!call.params.text && !call.params.blocks) return { ok: false, error: 'no_text' }
      const ts = nextTs()
      posted.set(ts, String(call.params.channel))
      return {
        channel: call.params.channel,
        ts,
        message: { text: call.params.text, user: botUserId, bot_id: botId, ts },
      }
    },
    'chat.postEphemeral': () => ({ message_ts: nextTs() }),
    'chat.update': (call) => ({ channel: call.params.channel, ts: call.params.ts, text: call.params.text }),
    'chat.delete': (call) => {
      const ts = String(call.params.ts)
      if (!options.allowDeleteAny && posted.get(ts) !== call.params.channel)
        return { ok: false, error: 'cant_delete_message' }
      posted.delete(ts)
      return { channel: call.params.channel, ts }
    },
    'conversations.open': (call) => ({ channel: { id: `D${String(call.params.users ?? 'X').replace(/^U/, '')}` } }),
    'conversations.kick': () => ({}),
    'users.info': (call) => ({
      user: {
        id: call.params.user,
        name: String(call.params.user).toLowerCase(),
        team_id: teamId,
        is_admin: false,
        is_owner: false,
      },
    }),
    'apps.connections.open': () => ({ url: `${socket.url}?ticket=t${++seq}` }),
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const match = /^\/api\/([A-Za-z0-9_.]+)/.exec(req.url ?? '')
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (!match || req.method !== 'POST') return send(404, { ok: false, error: 'unknown_method' })
      const auth = req.headers.authorization
      let params: Record<string, unknown>
      try {
        params = parseBody(Buffer.concat(chunks).toString('utf8'), req.headers['content-type'])
      } catch {
        return send(200, { ok: false, error: 'invalid_form_data' })
      }
      const token = auth?.startsWith('Bearer ')
        ? auth.slice(7)
        : typeof params.token === 'string'
          ? params.token
          : undefined
      const call: SlackCall = { method: match[1]!, token, params, headers: req.headers }
      calls.push(call)
      for (const w of waiters) {
        if (w.method === call.method && w.predicate(call)) {
          waiters.delete(w)
          w.resolve(call)
        }
      }
      if (!tokenOk(call)) return send(200, { ok: false, error: 'invalid_auth' })
      const handler = overrides.get(call.method) ?? builtins[call.method]
      if (!handler) return send(200, { ok: false, error: 'unknown_method' })
      const out = handler(call)
      if ('status' in out && typeof out.status === 'number' && 'body' in out) return send(out.status, out.body)
      send(200, { ok: true, ...out })
    })
  })
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const { port } = server.address() as AddressInfo
  socket = attachSocketMode(server, `ws://127.0.0.1:${port}/link/`)

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    port,
    teamId,
    botUserId,
    calls,
    socket,
    callsOf: (method) => calls.filter((c) => c.method === method),
    waitFor(method, predicate = () => true, timeoutMs = 5000) {
      const found = calls.find((c) => c.method === method && predicate(c))
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const waiter: Waiter = {
          method,
          predicate,
          resolve: (c) => {
            clearTimeout(timer)
            resolve(c)
          },
        }
        const timer = setTimeout(() => {
          waiters.delete(waiter)
          reject(new Error(`no ${method} call within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ')}`))
        }, timeoutMs)
        waiters.add(waiter)
      })
    },
    on(method, handler) {
      overrides.set(method, handler)
      return () => void overrides.delete(method)
    },
    async close() {
      await socket.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
