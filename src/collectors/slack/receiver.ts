/**
 * Bolt's HTTP receiver semantics served on the module's own fastify port (8004): `POST /slack/events`,
 * `/slack/commands`, `/slack/interactions`. Each request's raw body is kept (an encapsulated content-type
 * parser), its v0 signature verified (5-min window, constant time; 401 otherwise and nothing dispatched),
 * `ssl_check` and `url_verification` answered, and the parsed body handed to bolt's `App.processEvent`
 * with an `ack` that becomes the HTTP response (`ack(body)` → 200 with that body).
 * `FastifyBoltReceiver` is the bolt Receiver whose init/start/stop own no server: fastify does.
 */
import { parse as parseQuery } from 'node:querystring'
import type { App, Receiver, ReceiverEvent } from '@slack/bolt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { WaddleError } from '../../runtime/errors.js'
import type { Logger } from '../../runtime/logger.js'
import { verifySlackSignature } from './signature.js'

/** A bolt Receiver fed by fastify routes (no server of its own). */
export class FastifyBoltReceiver implements Receiver {
  private app: App | undefined
  init(app: App): void {
    this.app = app
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  /** Hands one verified request to bolt. */
  dispatch(event: ReceiverEvent): Promise<void> {
    if (!this.app) return Promise.reject(new Error('FastifyBoltReceiver: init(app) was not called'))
    return this.app.processEvent(event)
  }
}

export interface SlackRoutesOptions {
  /** undefined ⇒ the routes answer 503 (nothing is accepted unsigned). */
  readonly signingSecret: string | undefined
  /** Dispatches a verified request to bolt (`app.processEvent`). */
  readonly dispatch: (event: ReceiverEvent) => Promise<void>
  readonly log: Logger
  /** How long a request may wait for `ack` (default 2,800 ms; Slack gives up after 3 s). */
  readonly ackTimeoutMs?: number
  readonly now?: () => number
  /**
   * Replay guard for slash commands and interactions (Slack signs each request once; its timestamp window is
   * 5 minutes): resolves false when this signature was already seen. Absent ⇒ no deduplication.
   */
  readonly firstSeen?: (signature: string) => Promise<boolean>
  /** Called for every request refused by signature (for metrics/tests). */
  readonly onRefused?: (path: string, reason: string) => void
}

type RawRequest = FastifyRequest & { rawBody?: string }

const NO_ACK = Symbol('no-ack')
const NOT_READY = Symbol('not-ready')

/** Thrown by a dispatch that cannot take requests yet (bolt not initialized): answered 503 so Slack retries. */
export class SlackNotReadyError extends Error {
  constructor() {
    super('the Slack app is not initialized yet')
  }
}

/** Parses the raw body as Slack sends it: JSON (events), form (commands), form with `payload=` JSON (interactions). */
export function parseSlackBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.startsWith('application/x-www-form-urlencoded')) {
    const form = parseQuery(raw)
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>
    return Object.fromEntries(Object.entries(form).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]))
  }
  return JSON.parse(raw) as Record<string, unknown>
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** Registers the three Slack routes on `app` (call inside the module's encapsulated routes plugin). */
export function slackRoutes(app: FastifyInstance, options: SlackRoutesOptions): void {
  const keepRaw = (req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    ;(req as RawRequest).rawBody = typeof body === 'string' ? body : body.toString('utf8')
    done(null, (req as RawRequest).rawBody)
  }
  app.removeContentTypeParser(['application/json', 'application/x-www-form-urlencoded'])
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string' }, keepRaw)

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? req.url
    const raw = (req as RawRequest).rawBody ?? ''
    const contentType = header(req, 'content-type')
    if (!options.signingSecret)
      return reply.code(503).send({
        error: new WaddleError('WB_WEBHOOK_NOT_CONFIGURED', {
          platform: 'slack',
          secret: 'SLACK_SIGNING_SECRET',
        }).toHttpJSON(),
      })
    if (contentType?.startsWith('application/x-www-form-urlencoded') && parseQuery(raw).ssl_check === '1')
      return reply.code(200).send()
    const verdict = verifySlackSignature({
      signingSecret: options.signingSecret,
      rawBody: raw,
      timestamp: header(req, 'x-slack-request-timestamp'),
      signature: header(req, 'x-slack-signature'),
      ...(options.now ? { now: options.now() } : {}),
    })
    if (!verdict.ok) {
      options.log.warn({ path, reason: verdict.reason }, 'slack request refused')
      options.onRefused?.(path, verdict.reason)
      // Slack's own receivers answer 401; the code is the shared webhook one.
      return reply.code(401).send({
        error: new WaddleError('WB_WEBHOOK_SIGNATURE_INVALID', {
          platform: 'slack',
          reason: verdict.reason,
          secret: 'SLACK_SIGNING_SECRET',
        }).toHttpJSON(),
      })
    }
    let body: Record<string, unknown>
    try {
      body = parseSlackBody(raw, contentType)
    } catch {
      return reply.code(400).send({
        error: { code: 'WB_INPUT_INVALID', field: 'body', message: 'body is not valid Slack JSON or form data' },
      })
    }
    if (body.type === 'url_verification') return reply.code(200).send({ challenge: body.challenge })
    if (
      path !== '/slack/events' &&
      options.firstSeen &&
      !(await options.firstSeen(header(req, 'x-slack-signature') ?? ''))
    ) {
      options.log.warn({ path }, 'slack request replayed within its 5-minute window: acknowledged, not forwarded')
      return reply.code(200).send()
    }

    let resolveAck!: (value: unknown) => void
    const acked = new Promise<unknown>((resolve) => {
      resolveAck = resolve
    })
    let ackCalled = false
    const retry = header(req, 'x-slack-retry-num')
    const retryReason = header(req, 'x-slack-retry-reason')
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (ackCalled) return
        ackCalled = true
        resolveAck(response)
      },
      ...(retry !== undefined && /^\d+$/.test(retry) ? { retryNum: Number(retry) } : {}),
      ...(retryReason ? { retryReason } : {}),
    }
    const processing = options.dispatch(event).then(
      () => NO_ACK,
      (err: unknown) => {
        if (err instanceof SlackNotReadyError) return NOT_READY
        options.log.error({ err, path }, 'slack event processing failed')
        return NO_ACK
      },
    )
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<typeof NO_ACK>((resolve) => {
      timer = setTimeout(() => resolve(NO_ACK), options.ackTimeoutMs ?? 2800)
    })
    let answer = await Promise.race([acked, processing, timeout])
    clearTimeout(timer)
    if (answer === NOT_READY)
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ error: { message: 'the Slack app is still starting; retry shortly' } })
    if (answer === NO_ACK && ackCalled) answer = await acked // ack and the end of processing arrived together
    ackCalled = true // a late ack has nothing left to answer
    const response = answer === NO_ACK ? undefined : answer
    if (response === undefined || response === '') return reply.code(200).send()
    if (typeof response === 'string') return reply.code(200).type('text/plain; charset=utf-8').send(response)
    return reply.code(200).send(response)
  }

  for (const path of ['/slack/events', '/slack/commands', '/slack/interactions']) app.post(path, handle)
}
