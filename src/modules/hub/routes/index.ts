/** The hub's routes: the API table (api.ts) with its guard, the security headers, and the UI's pages. */
import type { FastifyInstance } from 'fastify'
import { securityHeaders } from '../static.js'
import { authHandlers } from './auth.js'
import { communityHandlers } from './community.js'
import { memberHandlers } from './member.js'
import { platformHandlers } from './platform.js'
import { publicHandlers } from './public.js'
import { type HubContext, registerTable } from './register.js'
import { streamHandlers } from './stream.js'

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

export async function hubRoutes(app: FastifyInstance, ctx: HubContext): Promise<void> {
  const headers = securityHeaders(
    ctx.modules.runnable().includes('browser-source') ? originOf(ctx.modules.url('browser-source')) : undefined,
    ctx.state.secureCookies,
  )
  app.addHook('onRequest', async (_req, reply) => {
    reply.headers(headers)
  })
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store')
    return payload
  })
  registerTable(app, ctx, {
    ...authHandlers(ctx),
    ...publicHandlers(ctx),
    ...memberHandlers(ctx),
    ...communityHandlers(ctx),
    ...platformHandlers(ctx),
    ...streamHandlers(ctx),
  })
  app.get('/*', async (req, reply) => {
    if (req.url.startsWith('/api/'))
      return reply.code(404).send({
        error: { code: 'WB_NOT_FOUND', message: `nothing at GET ${req.url.split('?')[0]}`, hint: 'see docs/hub.md' },
      })
    return ctx.state.site.serve(req.url, reply)
  })
}
