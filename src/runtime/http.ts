/**
 * Each hosted module gets its own fastify server on its own port: /health, /metrics, the execute
 * endpoint when it has commands or event handlers, and its own routes (encapsulated).
 */
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import Fastify, { type FastifyError, type FastifyInstance, LogController } from 'fastify'
import { executionRequestSchema } from '../contract/execution.js'
import { describeIssue } from '../contract/validate.js'
import { authenticate, requireKey } from './auth.js'
import { executeLocally } from './dispatch.js'
import { isWaddleError, WaddleError } from './errors.js'
import { httpTimeouts, installBodyRules, timeoutOptions } from './http-guards.js'
import { metricsRegistry } from './metrics.js'
import type { ModuleContext, ModuleDefinition } from './module.js'

export const BODY_LIMIT = 64 * 1024

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

/** Every route of each module server, as registered (methods and URL patterns). */
const routeLists = new WeakMap<object, { method: string; url: string }[]>()

/** The routes of a module server built by {@link createModuleServer} (the route-walk test enumerates them). */
export function registeredRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return routeLists.get(app) ?? []
}

export interface ServerOptions {
  readonly serviceKey: string
  readonly version?: string
}

export async function createModuleServer<T>(def: ModuleDefinition<T>, ctx: ModuleContext<T>, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
    ...timeoutOptions(httpTimeouts(ctx.settings.env)),
  })
  trackSockets(app.server)
  const routes: { method: string; url: string }[] = []
  routeLists.set(app, routes)
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url })
  })
  app.setErrorHandler(errorHandler)
  installBodyRules(app as unknown as FastifyInstance)
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'WB_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } })
  })
  const auth = { db: ctx.storage, serviceKey: options.serviceKey, requireKeys: ctx.settings.requireKeys }
  const strictAuth = { ...auth, requireKeys: true }

  app.get('/health', async (_req, reply) => {
    const base = { module: def.name, version: def.version }
    let detail: unknown
    for (const [dependency, check] of [
      ['database', () => ctx.storage.ping()],
      ['cache', () => ctx.cache.ping()],
      [def.name, async () => { detail = await def.health?.(ctx) }],
    ] as const) {
      try {
        await check()
      } catch (error) {
        return reply.code(503).send({ status: 'error', ...base, failing: dependency, error: (error as Error).message })
      }
    }
    return detail !== null && typeof detail === 'object' ? { status: 'ok', ...base, detail } : { status: 'ok', ...base }
  })

  app.get('/metrics', async (_req, reply) => {
    reply.type(metricsRegistry.contentType)
    return metricsRegistry.metrics()
  })

  if ((def.commands?.length ?? 0) + (def.events?.length ?? 0) > 0) {
    app.post('/api/v1/execute', { onRequest: requireKey(strictAuth, ['module'], 'POST /api/v1/execute') }, async (req) => {
      await authenticate(req, strictAuth, ['module'], 'POST /api/v1/execute')
      const parsed = executionRequestSchema.safeParse(req.body)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
      }
      return executeLocally(def, ctx, parsed.data)
    })
  }

  if (def.routes) {
    const routes = def.routes
    await app.register(async (child) => routes(child as unknown as FastifyInstance, ctx))
  }
  return app as unknown as FastifyInstance
}

/** Maps every error to a JSON body `{error:{code, message, field?, hint?}}` with the right status. */
function errorHandler(error: FastifyError | Error, _req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply): void {
  if (isWaddleError(error)) {
    if (error.code === 'WB_RATE_LIMITED') reply.header('retry-after', String(error.params.seconds ?? 60))
    const field = error.code === 'WB_INPUT_INVALID' ? error.params.field : undefined
    reply.code(error.status).send({ error: { ...error.toJSON(), ...(field ? { field } : {}) } })
    return
  }
  const fe = error as FastifyError
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = String(_req.headers['content-type'] ?? '').split(';')[0].trim().slice(0, 100) || 'none'
    const coded = new WaddleError('WB_MEDIA_TYPE_UNSUPPORTED', { type })
    reply.code(coded.status).send({ error: coded.toJSON() })
    return
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    reply.code(413).send({ error: { code: 'WB_BODY_TOO_LARGE', message: `body larger than ${BODY_LIMIT} bytes` } })
    return
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    reply.code(fe.statusCode).send({ error: { code: 'WB_INPUT_INVALID', field: 'body', message: fe.message } })
    return
  }
  reply.log.error({ err: error }, 'request failed')
  reply.code(500).send({ error: { code: 'WB_INTERNAL', message: 'internal error' } })
}
