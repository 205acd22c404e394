/**
 * `POST /twitch/eventsub` (CONTRACT §6): Twitch EventSub webhooks. Every message is checked before anything
 * else: HMAC-SHA256 over message id + timestamp + raw body with `TWITCH_EVENTSUB_SECRET` (`sha256=<hex>`,
 * compared in constant time), a timestamp at most 10 min away, and a message id seen once (eventsub-intake.ts:
 * the same lock as the WebSocket path, shared by every process on Redis). Refused messages are never
 * forwarded to the router; revocations are recorded in the status (eventsub-service.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { WaddleError } from '../../runtime/errors.js'
import type { SetupContext } from '../../runtime/module.js'
import { secret } from '../core/collector-config.js'
import type { CollectorHandle } from '../core/collector-handle.js'
import { intakeNotification } from './eventsub-intake.js'
import { type EventSubService, recordRevocation } from './eventsub-service.js'

/** Messages further than this from now (either way) are refused. */
export const EVENTSUB_MAX_AGE_MS = 10 * 60_000

const H = {
  id: 'twitch-eventsub-message-id',
  timestamp: 'twitch-eventsub-message-timestamp',
  signature: 'twitch-eventsub-message-signature',
  type: 'twitch-eventsub-message-type',
} as const

/** `sha256=<hex>` of id + timestamp + body. */
export function eventSubSignature(secretValue: string, id: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secretValue)
    .update(id + timestamp + rawBody)
    .digest('hex')}`
}

/** Why a message is refused, or undefined when its signature and timestamp are good. */
export function checkEventSub(
  secretValue: string,
  headers: Readonly<Record<string, unknown>>,
  rawBody: string,
  now: number,
): string | undefined {
  const id = headers[H.id]
  const timestamp = headers[H.timestamp]
  const signature = headers[H.signature]
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string')
    return 'missing Twitch-Eventsub-Message headers'
  const expected = Buffer.from(eventSubSignature(secretValue, id, timestamp, rawBody))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch'
  const at = Date.parse(timestamp)
  if (Number.isNaN(at)) return 'unreadable timestamp'
  if (now - at > EVENTSUB_MAX_AGE_MS) return 'timestamp older than 10 min'
  if (at - now > EVENTSUB_MAX_AGE_MS) return 'timestamp more than 10 min ahead'
  return undefined
}

interface Body {
  challenge?: unknown
  subscription?: { type?: unknown; status?: unknown; id?: unknown; condition?: unknown }
  event?: Record<string, unknown>
}

/** Registers the EventSub webhook (raw JSON body kept for the signature; encapsulated in this plugin). */
export async function eventSubRoutes<T>(
  app: FastifyInstance,
  ctx: SetupContext<unknown>,
  handle: CollectorHandle<T>,
  eventSub: EventSubService | undefined,
  now: () => number = Date.now,
): Promise<void> {
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const raw = body as string
    ;(req as FastifyRequest & { rawBody?: string }).rawBody = raw
    try {
      done(null, raw === '' ? {} : JSON.parse(raw))
    } catch (error) {
      ;(error as { statusCode?: number }).statusCode = 400
      done(error as Error, undefined)
    }
  })

  app.post('/twitch/eventsub', async (req, reply) => {
    const key = secret(ctx, 'TWITCH_EVENTSUB_SECRET')
    if (!key)
      throw new WaddleError('WB_WEBHOOK_NOT_CONFIGURED', { platform: 'twitch', secret: 'TWITCH_EVENTSUB_SECRET' })
    const raw = (req as FastifyRequest & { rawBody?: string }).rawBody ?? ''
    const refusal = checkEventSub(key, req.headers, raw, now())
    if (refusal) {
      ctx.log.warn({ reason: refusal, id: req.headers[H.id] }, 'EventSub message refused')
      throw new WaddleError('WB_WEBHOOK_SIGNATURE_INVALID', {
        platform: 'twitch',
        reason: refusal,
        secret: 'TWITCH_EVENTSUB_SECRET',
      })
    }
    const id = req.headers[H.id] as string
    const body = (req.body ?? {}) as Body
    const messageType = req.headers[H.type]
    if (messageType === 'webhook_callback_verification') {
      if (typeof body.challenge !== 'string')
        throw new WaddleError('WB_INPUT_INVALID', { field: 'challenge', reason: 'missing' })
      return reply.code(200).type('text/plain').send(body.challenge)
    }
    const subscriptionType = typeof body.subscription?.type === 'string' ? body.subscription.type : ''
    if (messageType === 'revocation') {
      if (await ctx.cache.tryLock(`twitch:eventsub:${id}`, EVENTSUB_MAX_AGE_MS))
        recordRevocation(eventSub, ctx, body.subscription ?? {}, 'webhook')
      else ctx.log.info({ id }, 'EventSub duplicate ignored')
      return reply.code(204).send()
    }
    if (messageType !== 'notification') {
      ctx.log.warn({ id, messageType }, 'EventSub message of an unknown type ignored')
      return reply.code(204).send()
    }
    await intakeNotification(ctx, handle as CollectorHandle<unknown>, {
      messageId: id,
      subscriptionType,
      event: body.event ?? {},
      via: 'webhook',
    })
    return reply.code(204).send()
  })
}
