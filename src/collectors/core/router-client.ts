/**
 * The collector → router client: events in batches (`POST /api/v1/events/batch`, event-batcher.ts) with the
 * collector's key over kept-alive connections, and the router's
 * asynchronous module replies from the cache's `responses` channel (published by
 * src/modules/router/responses-route.ts as `{entity_id, session_id, execution_id, responses}`).
 */

import { type InboundEvent, inboundEventSchema } from '../../contract/events.js'
import { type Response, responseSchema } from '../../contract/responses.js'
import { type EventResult, eventResultSchema } from '../../contract/router.js'
import type { Cache } from '../../runtime/cache/types.js'
import { WaddleError } from '../../runtime/errors.js'
import { EventBatcher } from './event-batcher.js'
import { replyError, requestJson } from './http.js'
import type { RouterClient } from './types.js'

export interface RouterClientOptions {
  /** Base URL of the router, e.g. `http://127.0.0.1:8000`. */
  readonly url: string
  /** A `collector` (or admin / service) key, sent as `x-api-key`. */
  readonly key: string
  /** Carries the router's async replies (`responses` channel). */
  readonly cache: Cache
  /** Per-request timeout (default 15 s: above the router's 5 s module timeout). */
  readonly timeoutMs?: number
  /** Replaces the transport (tests make the router flaky with it); default node:http (src/runtime/http-call.ts). */
  readonly fetch?: typeof fetch
  /**
   * How long the first event of a batch waits for others (default 1 ms); 0 sends every event on its own
   * `POST /api/v1/events`.
   */
  readonly lingerMs?: number
}

/** The cache channel the router publishes asynchronous module replies on. */
export const RESPONSES_CHANNEL = 'responses'

/**
 * Creates the router client.
 * @example
 * const router = createRouterClient({ url: registry.urlOf('router'), key: resolveServiceKey(settings), cache: ctx.cache })
 * const result = await router.send({ platform: 'twitch', server_id: 'chan', channel_id: 'chan', user_id: '1', user_name: 'ann', message: '!ping', message_type: 'chatMessage' })
 */
export function createRouterClient(options: RouterClientOptions): RouterClient {
  const doFetch = options.fetch
  const base = options.url.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 15_000
  const lingerMs = options.lingerMs ?? 1
  const batcher =
    lingerMs > 0 ? new EventBatcher({ base, key: options.key, timeoutMs, lingerMs, fetch: doFetch }) : undefined
  return {
    ...(batcher ? { batches: batcher.stats } : {}),
    async send(event: InboundEvent): Promise<EventResult> {
      if (batcher) return batcher.send(event)
      const reply = await requestJson(doFetch, `${base}/api/v1/events`, {
        method: 'POST',
        key: options.key,
        body: event,
        timeoutMs,
      })
      if (reply.status < 200 || reply.status >= 300)
        throw new WaddleError('WB_ROUTER_REFUSED', { url: base, status: reply.status, reason: replyError(reply) })
      const parsed = eventResultSchema.safeParse(reply.body)
      if (!parsed.success)
        throw new WaddleError('WB_ROUTER_REFUSED', {
          url: base,
          status: reply.status,
          reason: 'the answer is not an event result',
        })
      return parsed.data
    },

    async onAsyncResponses(handler) {
      return options.cache.subscribe(RESPONSES_CHANNEL, (message) => {
        const m = message as { entity_id?: unknown; responses?: unknown; origin?: unknown } | null
        if (!m || typeof m.entity_id !== 'string' || !Array.isArray(m.responses)) return
        const responses = m.responses.flatMap((r): Response[] => {
          const ok = responseSchema.safeParse(r)
          return ok.success ? [ok.data] : []
        })
        const origin = inboundEventSchema.safeParse(m.origin)
        if (responses.length > 0) handler(m.entity_id, responses, origin.success ? origin.data : undefined)
      })
    },
  }
}
