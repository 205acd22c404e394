/**
 * `POST /discord/interactions` (CONTRACT §6): Discord's HTTP interactions endpoint. Checks, in order:
 * the Ed25519 signature over timestamp + raw body (`X-Signature-Ed25519`, `X-Signature-Timestamp`) and a
 * timestamp within 5 min ⇒ else 401; the body ⇒ else 400; PING ⇒ `{type:1}`; a duplicate interaction id
 * (`cache.tryLock`, shared by every process and by the gateway path) ⇒ 409, processed once. A slash command
 * goes to the router and is answered by answerInteraction (type 4, or type 5 + webhook edit). Nothing is
 * forwarded for a refused request. Without `DISCORD_PUBLIC_KEY` the endpoint answers 503.
 * Error bodies use the webhook codes of docs/errors.md (WB_WEBHOOK_SIGNATURE_INVALID, but with status 401).
 */
import type { KeyObject } from 'node:crypto'
import type { REST } from 'discord.js'
import type { FastifyInstance } from 'fastify'
import type { Cache } from '../../runtime/cache/types.js'
import { WaddleError } from '../../runtime/errors.js'
import { route } from './discord-api.js'
import { INTERACTION_DEDUPE_MS, interactionKey } from './once.js'
import type { Logger } from '../../runtime/logger.js'
import {
  answerInteraction,
  type InteractionAnswer,
  InteractionKind,
  type InteractionPayload,
  interactionPayloadSchema,
  type MessageBody,
  slashFactsFromPayload,
} from './interactions.js'
import type { SlashFacts } from './normalize.js'
import type { DiscordMessage } from './render.js'
import { verifyInteraction } from './verify.js'

const REASONS = {
  missing_signature: 'signature headers missing',
  bad_signature: 'signature mismatch',
  stale_timestamp: 'timestamp older than 5 min (or in the future)',
} as const

/** What the interactions endpoint needs (index.ts wires it to the collector). */
export interface InteractionsRouteOptions {
  /** Discord's public key (undefined ⇒ 503). */
  readonly publicKey: KeyObject | undefined
  readonly cache: Cache
  readonly log: Logger
  /** REST for webhook edits and follow-ups (no bot token needed); asked for only when one is sent. */
  readonly rest: () => Promise<REST>
  /** Sends the slash command to the router; resolves with the messages to show (moderation is done inside). */
  readonly onSlash: (facts: SlashFacts, appPermissions: bigint | null) => Promise<DiscordMessage[]>
  /** A guild's owner id when the gateway knows it. */
  readonly ownerOf?: (guildId: string) => string | undefined
  readonly deadlineMs?: number
  readonly now?: () => number
}

/** Registers `POST /discord/interactions` (and its raw-body JSON parser) on `app`, an encapsulated plugin. */
export async function interactionsRoute(app: FastifyInstance, options: InteractionsRouteOptions): Promise<void> {
  // The raw body is what Discord signed: keep the JSON unparsed (this parser is encapsulated to this plugin).
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body))

  app.post('/discord/interactions', async (req, reply) => {
    if (!options.publicKey)
      return reply.code(503).send({
        error: new WaddleError('WB_WEBHOOK_NOT_CONFIGURED', {
          platform: 'discord',
          secret: 'DISCORD_PUBLIC_KEY',
        }).toHttpJSON(),
      })
    const rawBody = typeof req.body === 'string' ? req.body : ''
    const header = (name: string) => {
      const v = req.headers[name]
      return Array.isArray(v) ? v[0] : v
    }
    const verdict = verifyInteraction(
      options.publicKey,
      { signature: header('x-signature-ed25519'), timestamp: header('x-signature-timestamp'), rawBody },
      options.now?.(),
    )
    if (!verdict.ok) {
      options.log.warn({ reason: verdict.reason }, 'discord interaction refused')
      // Discord expects 401 for a bad signature (it probes the endpoint with forged requests when it is set up).
      const error = new WaddleError('WB_WEBHOOK_SIGNATURE_INVALID', {
        platform: 'discord',
        reason: REASONS[verdict.reason],
        secret: 'DISCORD_PUBLIC_KEY',
      })
      return reply.code(401).send({ error: error.toHttpJSON() })
    }
    let payload: InteractionPayload
    try {
      const parsed = interactionPayloadSchema.safeParse(JSON.parse(rawBody))
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid')
      payload = parsed.data
    } catch (error) {
      return reply.code(400).send({
        error: {
          code: 'WB_INPUT_INVALID',
          field: 'body',
          message: `not an interaction: ${(error as Error).message}`,
        },
      })
    }
    if (payload.type === InteractionKind.Ping) return { type: 1 }
    if (!(await options.cache.tryLock(interactionKey(payload.id), INTERACTION_DEDUPE_MS))) {
      options.log.info({ interaction: payload.id }, 'duplicate discord interaction ignored')
      return reply.code(409).send({
        error: { code: 'WB_INPUT_INVALID', field: 'id', message: `interaction ${payload.id} was already handled` },
      })
    }
    if (payload.type === InteractionKind.Autocomplete) return { type: 8, data: { choices: [] } }
    const facts =
      payload.type === InteractionKind.ApplicationCommand ? slashFactsFromPayload(payload, options.ownerOf) : undefined
    if (!facts || !payload.token) return { type: 4, data: { content: 'This interaction is not supported.', flags: 64 } }
    const appPermissions = payload.app_permissions ? BigInt(payload.app_permissions) : null
    return answerOverHttp(options, payload.application_id, payload.token, options.onSlash(facts, appPermissions))
  })
}

/** Runs answerInteraction with the HTTP response as the first answer; later edits go through REST. */
function answerOverHttp(
  options: InteractionsRouteOptions,
  appId: string,
  token: string,
  work: Promise<DiscordMessage[]>,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const answer: InteractionAnswer = {
      reply: async (body: MessageBody) => resolve({ type: 4, data: body }),
      defer: async () => resolve({ type: 5 }),
      editOriginal: async (body) => {
        await (await options.rest()).patch(route.webhookOriginal(appId, token), { body, auth: false })
      },
      followUp: async (body) => {
        await (await options.rest()).post(route.webhook(appId, token), { body, auth: false })
      },
    }
    answerInteraction(answer, work, options.deadlineMs).catch((error: unknown) => {
      options.log.error({ err: error }, 'discord interaction follow-up failed')
      reject(error)
    })
  })
}
