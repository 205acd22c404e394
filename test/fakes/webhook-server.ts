/**
 * A fake HTTP endpoint on 127.0.0.1 (port 0) for the execution targets: records every request and answers
 * through a handler the test sets (delays, statuses, bodies). `startWebhookServer` is a signed-webhook
 * receiver on top of it, verifying each request with verifyWebhookSignature as a real receiver would.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ExecutionRequest, ExecutionResult } from '../../src/contract/execution.js'
import { verifyWebhookSignature } from '../../src/runtime/targets/webhook.js'

export interface RecordedRequest {
  readonly method: string
  /** Path and query. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  /** The raw body, exactly as received. */
  readonly body: string
}

export interface FakeReply {
  status?: number
  /** An object is sent as JSON, a string as is. */
  body?: unknown
  headers?: Record<string, string>
  /** Wait this long before answering (the fake keeps the request open). */
  delayMs?: number
}

export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>

export interface FakeServer {
  readonly url: string
  readonly port: number
  readonly requests: RecordedRequest[]
  /** Replies actually written (a request still sleeping is not counted). */
  readonly answered: number
  /** Replaces the handler. */
  respond(handler: FakeHandler): void
  close(): Promise<void>
}

/** The ExecutionResult a well-behaved target returns for `request`. */
export function resultFor(request: ExecutionRequest, text = `ran ${request.command}`): ExecutionResult {
  return {
    execution_id: request.execution_id,
    session_id: request.session_id,
    success: true,
    responses: [{ type: 'chat', text }],
  }
}

/** Default handler: parses the body as an ExecutionRequest and answers its success result. */
export const echo: FakeHandler = (req) => ({ status: 200, body: resultFor(JSON.parse(req.body) as ExecutionRequest) })

/** Starts a fake on 127.0.0.1; `port` 0 (default) picks a free one. */
export async function startFakeServer(
  handler: FakeHandler = echo,
  options: { port?: number } = {},
): Promise<FakeServer> {
  let current = handler
  let answered = 0
  const requests: RecordedRequest[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const recorded = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(recorded)
      let reply: FakeReply
      try {
        reply = await current(recorded)
      } catch (error) {
        reply = { status: 500, body: { error: (error as Error).message } }
      }
      if (reply.delayMs) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t)
            resolve()
          }, reply.delayMs)
          timers.add(t)
        })
      }
      if (res.destroyed) return
      const body =
        reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
      const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json'
      res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers })
      res.end(body)
      answered += 1
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, resolve)
  })
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get answered() {
      return answered
    },
    respond(next) {
      current = next
    },
    async close() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A port that was free a moment ago (nothing listens on it): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const probe = await startFakeServer()
  const port = probe.port
  await probe.close()
  return port
}

export interface WebhookReceiver extends FakeServer {
  /** Signature verdict per request, in order. */
  readonly verified: boolean[]
}

/**
 * A signed-webhook receiver: answers 401 to a request whose signature does not verify under `secret`,
 * otherwise runs `handler` (default: the success result).
 */
export async function startWebhookServer(secret: string, handler: FakeHandler = echo): Promise<WebhookReceiver> {
  const verified: boolean[] = []
  let inner = handler
  const fake = await startFakeServer((req) => {
    const ok = verifyWebhookSignature(
      secret,
      req.headers['x-waddlebot-timestamp'] as string | undefined,
      req.body,
      req.headers['x-waddlebot-signature'] as string | undefined,
    )
    verified.push(ok)
    return ok ? inner(req) : { status: 401, body: { error: 'bad signature' } }
  })
  return Object.assign(fake, {
    verified,
    respond(next: FakeHandler) {
      inner = next
    },
  })
}

let seq = 0
/** A valid ExecutionRequest with fresh ids. */
export function makeRequest(command = '!greet', overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  seq += 1
  return {
    execution_id: `exec-${process.pid}-${seq}`,
    session_id: `sess-${process.pid}-${seq}`,
    command,
    args: ['world'],
    raw_message: `${command} world`,
    trigger: 'command',
    user: { id: 'u1', name: 'ann', roles: ['moderator'] },
    entity: { id: 'local:s:c', platform: 'local', server_id: 's', channel_id: 'c', community_id: '1' },
    ...overrides,
  }
}
