/**
 * Registers the route table (api.ts) on the hub's server: every route gets the guard (session, CSRF, role) and
 * its body parsed by its zod schema before the handler runs. A route of the table without a handler, or a
 * handler without a route, stops the start: the table is the whole API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { describeIssue } from '../../../contract/validate.js'
import { WaddleError } from '../../../runtime/errors.js'
import type { ModuleContext } from '../../../runtime/module.js'
import { HUB_ROUTES, type HubRoute } from '../api.js'
import type { HubConfig } from '../config.js'
import { authorize, type Caller } from '../guard.js'
import type { HubState } from '../state.js'
import { Relayed } from './forward.js'

export type HubContext = ModuleContext<HubConfig, HubState>

export interface Call<TBody = unknown> {
  readonly req: FastifyRequest
  readonly reply: FastifyReply
  readonly caller: Caller
  readonly body: TBody
  readonly params: Record<string, string>
  readonly query: Record<string, string | undefined>
}

// biome-ignore lint/suspicious/noExplicitAny: each handler types its own body through its route's schema
export type Handler = (call: Call<any>) => Promise<unknown> | unknown
export type Handlers = Record<string, Handler>

export const routeKey = (r: Pick<HubRoute, 'method' | 'path'>): string => `${r.method} ${r.path}`

export function parseBody<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: unknown } },
  value: unknown,
): T {
  const parsed = schema.safeParse(value ?? {})
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error as Parameters<typeof describeIssue>[0])
  throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
}

export function registerTable(app: FastifyInstance, ctx: HubContext, handlers: Handlers): void {
  const known = new Set(HUB_ROUTES.map(routeKey))
  for (const key of Object.keys(handlers)) if (!known.has(key)) throw new Error(`hub: handler ${key} is not in api.ts`)
  for (const route of HUB_ROUTES) {
    const handler = handlers[routeKey(route)]
    if (!handler) throw new Error(`hub: no handler for ${routeKey(route)}`)
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req, reply) => {
        const caller = await authorize(req, route, ctx.state, ctx.storage)
        const body = route.body ? parseBody(route.body, req.body) : undefined
        let out: unknown
        try {
          out = await handler({
            req,
            reply,
            caller,
            body,
            params: req.params as Record<string, string>,
            query: req.query as Record<string, string | undefined>,
          })
        } catch (error) {
          if (error instanceof Relayed) return reply.code(error.status).send(error.body)
          throw error
        }
        if (reply.sent) return reply
        return out
      },
    })
  }
}
