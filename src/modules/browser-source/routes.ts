/**
 * The HTTP and WebSocket surface of browser-source (CONTRACT §5):
 * - `GET /browser/source/:token/:type` — the overlay page; a WebSocket upgrade on the same URL streams
 *   `{type, data, ts, id}` (first a `hello` with the server time, then the current state). Unknown token or a
 *   type it does not open ⇒ 404 / close 4404.
 * - `POST /browser/source/display {community_id | entity_id, type, data}` (service, module or admin key) ⇒
 *   `{delivered, community_id, id}`; `delivered` counts this process's sockets.
 * - `GET /browser/source/urls?community_id=` and `POST /browser/source/rotate {community_id, type, grace_ms?}`
 *   (admin or service key).
 */
import { randomUUID } from 'node:crypto'
import websocket from '@fastify/websocket'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { WebSocket } from 'ws'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import { guessLimit } from '../../runtime/guess-limit.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import type { AccessEntry, AccessLog } from './access-log.js'
import { parseDisplay } from './display.js'
import { CLOSE_UNKNOWN_TOKEN, sendText, type SocketHub } from './hub.js'
import { newNonce, type OverlayPages, pageHeaders } from './pages.js'
import type { OverlayMessage, OverlayState } from './state.js'
import { type Clock, isOverlayType, type OverlayType, overlayUrls, type TokenGrant, type TokenStore } from './tokens.js'

/** WebSocket close code for an address over the overlay token guess limit (like HTTP 429). */
export const CLOSE_RATE_LIMITED = 4429

/** The community of entities that have none recorded. */
export const DEFAULT_COMMUNITY = 'default'

/** Everything the routes work with (built by the module's setup). */
export interface BrowserSource {
  readonly tokens: TokenStore
  readonly state: OverlayState
  readonly hub: SocketHub
  readonly pages: OverlayPages
  readonly clock: Clock
  readonly access: AccessLog
  /** Failed token guesses allowed per address per minute (default 30). */
  readonly guessLimit?: number
  /** The base URL printed in overlay URLs. */
  readonly baseUrl: string
  /** Resolves to the community of an entity ('default' when unknown or unassigned). */
  communityOf(entityId: string): Promise<string>
}

type Params = { token: string; type: string }

/** The community an entity belongs to, from the `entities` table. */
export async function communityOfEntity(db: Queryable, entityId: string): Promise<string> {
  const row = await db.one<{ community_id: string | null }>(
    sql`select community_id from entities where entity_id = ${entityId}`,
  )
  return row?.community_id || DEFAULT_COMMUNITY
}

/** Records a page load, connect or disconnect of `req`. */
function logAccess(
  bs: BrowserSource,
  req: FastifyRequest,
  grant: TokenGrant,
  token: string,
  event: AccessEntry['event'],
): void {
  bs.access.record({
    communityId: grant.communityId,
    type: grant.type,
    token,
    ip: req.ip,
    userAgent: req.headers['user-agent'],
    event,
    at: bs.clock.now(),
  })
}

async function grantFor(bs: BrowserSource, params: Params): Promise<TokenGrant | undefined> {
  if (!isOverlayType(params.type)) return undefined
  const grant = await bs.tokens.resolve(params.token)
  return grant?.type === params.type ? grant : undefined
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({
    error: new WaddleError('WB_NOT_FOUND', { what: 'this overlay URL (unknown or rotated token)' }).toHttpJSON(),
  })
}

/** Registers the browser-source routes (and @fastify/websocket) on the module's encapsulated server. */
export async function browserSourceRoutes(app: FastifyInstance, ctx: ModuleContext, bs: BrowserSource): Promise<void> {
  await app.register(websocket, {
    options: { maxPayload: 4096 },
    errorHandler: (error, socket) => {
      ctx.log.debug({ err: error }, 'overlay socket error')
      socket.terminate()
    },
  })
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guesses = guessLimit(ctx.cache, ctx.log, {
    what: 'overlay token guesses',
    key: 'overlay-token',
    limit: bs.guessLimit,
  })

  app.route<{ Params: Params }>({
    method: 'GET',
    url: '/browser/source/:token/:type',
    handler: async (req, reply) => {
      await guesses.check(req)
      const grant = await grantFor(bs, req.params)
      if (!grant) {
        await guesses.failed(req)
        return notFound(reply)
      }
      logAccess(bs, req, grant, req.params.token, 'page')
      const nonce = newNonce()
      return reply.headers(pageHeaders(nonce)).send(bs.pages.render(grant.type, nonce))
    },
    wsHandler: async (socket: WebSocket, req) => {
      const { token } = req.params
      try {
        await guesses.check(req)
      } catch {
        return socket.close(CLOSE_RATE_LIMITED, 'too many overlay token guesses')
      }
      const grant = await grantFor(bs, req.params)
      if (!grant) {
        await guesses.failed(req)
        return socket.close(CLOSE_UNKNOWN_TOKEN, 'unknown overlay token')
      }
      if (socket.readyState !== 1) return
      if (!bs.hub.add(socket, { communityId: grant.communityId, type: grant.type, token })) return
      const now = bs.clock.now()
      logAccess(bs, req, grant, token, 'connect')
      socket.once('close', () => logAccess(bs, req, grant, token, 'disconnect'))
      const hello: OverlayMessage = {
        type: 'hello',
        data: { server_time: now, type: grant.type },
        ts: now,
        id: randomUUID(),
      }
      sendText(socket, JSON.stringify(hello))
      let state: OverlayMessage[] = []
      try {
        state = await bs.state.current(grant.communityId, grant.type)
      } finally {
        bs.hub.ready(socket, state)
      }
    },
  })

  app.post(
    '/browser/source/display',
    { onRequest: requireKey(auth, ['module'], 'POST /browser/source/display') },
    async (req) => {
      await authenticate(req, auth, ['module'], 'POST /browser/source/display')
      const display = parseDisplay(req.body)
      const communityId = display.communityId ?? (await bs.communityOf(display.entityId!))
      const message = { type: display.type, data: display.data, ts: bs.clock.now(), id: randomUUID() }
      await bs.state.record(communityId, message)
      const delivered = await bs.hub.display(communityId, message)
      return { delivered, community_id: communityId, id: message.id }
    },
  )

  app.get<{ Querystring: { community_id?: string } }>('/browser/source/urls', async (req) => {
    await authenticate(req, auth, [], 'GET /browser/source/urls')
    const communityId = communityParam(req.query.community_id)
    return { community_id: communityId, urls: overlayUrls(bs.baseUrl, await bs.tokens.ensureTokens(communityId)) }
  })

  app.post<{ Body: { community_id?: unknown; type?: unknown; grace_ms?: unknown } | undefined }>(
    '/browser/source/rotate',
    { onRequest: requireKey(auth, [], 'POST /browser/source/rotate') },
    async (req) => {
      await authenticate(req, auth, [], 'POST /browser/source/rotate')
      const body = req.body ?? {}
      const communityId = communityParam(body.community_id)
      if (!isOverlayType(body.type))
        throw new WaddleError('WB_INPUT_INVALID', { field: 'type', reason: 'must be media, ticker or general' })
      const type: OverlayType = body.type
      const grace = body.grace_ms ?? undefined
      if (grace !== undefined && (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0)) {
        throw new WaddleError('WB_INPUT_INVALID', { field: 'grace_ms', reason: 'must be a non-negative number' })
      }
      await bs.tokens.rotate(communityId, type, grace)
      return {
        community_id: communityId,
        type,
        urls: overlayUrls(bs.baseUrl, await bs.tokens.ensureTokens(communityId)),
      }
    },
  )
}

function communityParam(value: unknown): string {
  if (value === undefined) return DEFAULT_COMMUNITY
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new WaddleError('WB_INPUT_INVALID', { field: 'community_id', reason: 'must be a non-empty string' })
  }
  return value
}
