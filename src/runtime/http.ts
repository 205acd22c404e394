/**
 * Each hosted module gets its own fastify server on its own port: /health, /metrics, the execute
 * endpoint when it has commands or event handlers, and its own routes (encapsulated).
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify'
import { executionRequestSchema, observeBatchSchema } from '../contract/execution.js'
import { describeIssue } from '../contract/validate.js'
import { authenticate, requireKey } from './auth.js'
import { executeLocally, observeLocally } from './dispatch.js'
import { isWaddleError, WaddleError } from './errors.js'
import { httpTimeouts, installBodyRules, timeoutOptions } from './http-guards.js'
import { metricsRegistry } from './metrics.js'
import { lazyRequestLogger } from './request-logger.js'
import type { ModuleContext, ModuleDefinition } from './module.js'

export const BODY_LIMIT = 64 * 1024
/** Retry-After (seconds) of a 503 caused by a database or Redis outage. */
export const RETRY_AFTER_S = 2

/** Open sockets per server, to close the ones that never sent a request (Node counts those as busy). */
const sockets = new WeakMap<object, Set<Socket>>()

function trackSockets(server: Server): void {
  const open = new Set<Socket>()
  sockets.set(server, open)
  server.on('connection', (socket: Socket) => {
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  })
}

/**
 * Closes a module server gracefully: requests in flight may finish (up to `graceMs`), while keep-alive
 * connections are closed as soon as they are idle and connections that never sent a byte at once, instead
 * of lingering until their keep-alive or headers timeout (60-72 s).
 */
export async function closeModuleServer(app: FastifyInstance, graceMs = 5000): Promise<void> {
  const server = app.server
  const sweep = () => {
    server.closeIdleConnections()
    for (const socket of sockets.get(server) ?? []) if (socket.bytesRead === 0) socket.destroy()
  }
  const idle = setInterval(sweep, 50)
  const force = setTimeout(() => server.closeAllConnections(), graceMs)
  try {
    const closing = app.close()
    sweep()
    await closing
  } finally {
    clearInterval(idle)
    clearTimeout(force)
  }
}

/** One route a module server serves (its method(s) and URL pattern). */
export interface ServedRoute {
  readonly method: string | readonly string[]
  readonly url: string
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route this module server serves, built-in and the module's own (route walks in tests, docs). */
    readonly servedRoutes: readonly ServedRoute[]
  }
}

export interface ServerOptions {
  readonly serviceKey: string
  readonly version?: string
  /** Routes the runtime adds to this server (the router's gets `POST /api/v1/modules/:name/reload`). */
  readonly extend?: (app: FastifyInstance) => Promise<void> | void
}

export async function createModuleServer<T>(
  def: ModuleDefinition<T>,
  ctx: ModuleContext<T>,
  options: ServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    ...timeoutOptions(httpTimeouts(ctx.settings.env)),
  })
  trackSockets(app.server)
  app.decorateRequest('authVerdict', null)
  const served: ServedRoute[] = []
  app.decorate('servedRoutes', served)
  app.addHook('onRoute', (route) => {
    served.push({ method: route.method, url: route.url })
  })
  app.setErrorHandler(errorHandler)
  installBodyRules(app as unknown as FastifyInstance)
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send({ error: new WaddleError('WB_NOT_FOUND', { what: `${req.method} ${req.url.split('?')[0]}` }).toHttpJSON() })
  })
  const auth = { db: ctx.storage, serviceKey: options.serviceKey, requireKeys: ctx.settings.requireKeys }
  const strictAuth = { ...auth, requireKeys: true }

  app.get('/health', async (_req, reply) => {
    const replica = process.env.WADDLEBOT_REPLICA // set by `waddlebot up` for each supervised process
    const base = {
      module: def.name,
      version: def.version,
      pid: process.pid,
      ...(replica ? { replica: Number(replica) } : {}),
    }
    let detail: unknown
    for (const [dependency, check] of [
      ['database', () => ctx.storage.ping()],
      ['cache', () => ctx.cache.ping()],
      [
        def.name,
        async () => {
          detail = await def.health?.(ctx)
        },
      ],
    ] as const) {
      try {
        await check()
      } catch (error) {
        return reply.code(503).send({ status: 'error', ...base, failing: dependency, error: (error as Error).message })
      }
    }
    if (detail === null || typeof detail !== 'object') return { status: 'ok', ...base }
    // A module that serves but lacks something (a collector configured but not connected) says `degraded`.
    const degraded = typeof (detail as { degraded?: unknown }).degraded === 'string'
    return { status: degraded ? 'degraded' : 'ok', ...base, detail }
  })

  app.get('/metrics', async (_req, reply) => {
    reply.type(metricsRegistry.contentType)
    return metricsRegistry.metrics()
  })

  if ((def.commands?.length ?? 0) + (def.events?.length ?? 0) > 0) {
    app.post(
      '/api/v1/execute',
      { onRequest: requireKey(strictAuth, ['module'], 'POST /api/v1/execute') },
      async (req) => {
        await authenticate(req, strictAuth, ['module'], 'POST /api/v1/execute')
        const parsed = executionRequestSchema.safeParse(req.body)
        if (!parsed.success) {
          const { field, message } = describeIssue(parsed.error)
          throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
        }
        return executeLocally(def, ctx, parsed.data)
      },
    )
  }

  if ((def.observers?.length ?? 0) > 0) {
    app.post(
      '/api/v1/observe',
      { onRequest: requireKey(strictAuth, ['module'], 'POST /api/v1/observe') },
      async (req, reply) => {
        await authenticate(req, strictAuth, ['module'], 'POST /api/v1/observe')
        const parsed = observeBatchSchema.safeParse(req.body)
        if (!parsed.success) {
          const { field, message } = describeIssue(parsed.error)
          throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
        }
        if (!def.observers?.some((o) => o.name === parsed.data.observer))
          throw new WaddleError('WB_INPUT_INVALID', { field: 'observer', reason: `${def.name} has no such observer` })
        await observeLocally(def, ctx, parsed.data.observer, parsed.data.events)
        return reply.code(204).send()
      },
    )
  }

  await options.extend?.(app as unknown as FastifyInstance)
  if (def.routes) {
    const routes = def.routes
    await app.register(async (child) => routes(child as unknown as FastifyInstance, ctx))
  }
  return app as unknown as FastifyInstance
}

/** Maps every error to a JSON body `{error:{code, message, field?, hint?}}` with the right status. */
function errorHandler(
  error: FastifyError | Error,
  _req: import('fastify').FastifyRequest,
  reply: import('fastify').FastifyReply,
): void {
  if (isWaddleError(error)) {
    if (error.code === 'WB_RATE_LIMITED') reply.header('retry-after', String(error.params.seconds ?? 60))
    const field = error.code === 'WB_INPUT_INVALID' ? error.params.field : undefined
    // A database or Redis outage: nothing was acknowledged, the client may send it again shortly.
    if (error.code === 'WB_STORAGE_UNREACHABLE' || error.code === 'WB_CACHE_UNREACHABLE')
      reply.header('retry-after', String(RETRY_AFTER_S))
    reply.code(error.status).send({ error: { ...error.toHttpJSON(), ...(field ? { field } : {}) } })
    return
  }
  const fe = error as FastifyError
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type =
      String(_req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .slice(0, 100) || 'none'
    const coded = new WaddleError('WB_MEDIA_TYPE_UNSUPPORTED', { type })
    reply.code(coded.status).send({ error: coded.toJSON() })
    return
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    reply.code(413).send({ error: new WaddleError('WB_BODY_TOO_LARGE', { limit: BODY_LIMIT }).toHttpJSON() })
    return
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    reply.code(fe.statusCode).send({
      error: {
        ...new WaddleError('WB_INPUT_INVALID', { field: 'body', reason: fe.message }).toHttpJSON(),
        field: 'body',
      },
    })
    return
  }
  reply.log.error({ err: error }, 'request failed')
  reply.code(500).send({ error: new WaddleError('WB_INTERNAL', { reason: 'the request failed' }).toHttpJSON() })
}
