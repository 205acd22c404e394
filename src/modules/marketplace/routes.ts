/**
 * REST of the marketplace (port 8001), a JSON API for the hub and the CLI. Reading the registry needs no key;
 * publishing, reviews and installations need the admin key or the service key (the hub acts for its
 * signed-in user and names them in `actor`). Errors are the documented shape (docs/errors.md).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { install, installedIn, setEnabled, uninstall, upgrade } from './installs.js'
import { manifestOf, publish, review, reviewsOf, searchModules, showModule, versionsOf } from './registry.js'
import { type MarketState, reviewerOf } from './reviewers.js'
import { MODULE_NAME, parseBody } from './schema.js'

const nameParam = z.object({ name: z.string().regex(MODULE_NAME, 'not a module name') })
const actorField = z.string().min(1).max(200).optional()
const installSchema = z.object({
  module: z.string().regex(MODULE_NAME, 'not a module name'),
  version: z.string().max(64).optional(),
  approve_scopes: z.array(z.string().max(64)).max(16).default([]),
  actor: actorField,
})
const upgradeSchema = installSchema.omit({ module: true })
const actorSchema = z.object({ actor: actorField }).default({})
const reviewSchema = z
  .object({
    identity_id: z.string().min(1).max(100).optional(),
    platform: z.string().min(1).max(32).optional(),
    user_id: z.string().min(1).max(100).optional(),
    user_name: z.string().min(1).max(100).optional(),
    rating: z.number().int().min(1).max(5),
    text: z.string().max(1000).optional(),
  })
  .refine((b) => b.identity_id !== undefined || (b.platform !== undefined && b.user_id !== undefined), {
    message: 'give identity_id, or platform and user_id',
    path: ['identity_id'],
  })

export async function marketplaceRoutes(
  app: FastifyInstance,
  ctx: ModuleContext<Record<string, unknown>, MarketState>,
): Promise<void> {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (label: string) => ({ onRequest: requireKey(auth, ['admin'], label) })
  /** The API key (or service) that called, and the person the caller names, for the audit row. */
  const actorOf = async (req: FastifyRequest, label: string, named?: string) => {
    const caller = await authenticate(req, auth, ['admin'], label)
    const key = caller.keyId ? `key:${caller.keyId}` : caller.scope
    return named ? `${key} for ${named}` : key
  }
  const notify = () => ctx.cache.publish('commands:changed', { module: 'marketplace' })
  const env = ctx.settings.env

  app.get('/api/v1/marketplace/modules', async (req) => {
    const { q } = parseBody(z.object({ q: z.string().max(100).default('') }), req.query)
    return { modules: await searchModules(ctx.storage, q) }
  })
  app.get('/api/v1/marketplace/modules/:name', async (req) => {
    const { name } = parseBody(nameParam, req.params)
    return showModule(ctx.storage, name)
  })
  app.get('/api/v1/marketplace/modules/:name/versions', async (req) => {
    const { name } = parseBody(nameParam, req.params)
    return { versions: await versionsOf(ctx.storage, name) }
  })
  app.get<{ Params: { name: string; version: string } }>(
    '/api/v1/marketplace/modules/:name/versions/:version',
    async (req) => {
      const { name } = parseBody(nameParam, req.params)
      return { manifest: await manifestOf(ctx.storage, name, req.params.version) }
    },
  )
  app.post('/api/v1/marketplace/modules', guard('POST /api/v1/marketplace/modules'), async (req, reply) => {
    const actor = await actorOf(req, 'POST /api/v1/marketplace/modules')
    const manifest = await publish(ctx.storage, req.body, { actor, env })
    return reply.code(201).send({ module: manifest.name, version: manifest.version, checksum: manifest.checksum })
  })
  app.get('/api/v1/marketplace/modules/:name/reviews', async (req) => {
    const { name } = parseBody(nameParam, req.params)
    return { reviews: await reviewsOf(ctx.storage, name) }
  })
  app.post(
    '/api/v1/marketplace/modules/:name/reviews',
    guard('POST /api/v1/marketplace/modules/:name/reviews'),
    async (req, reply) => {
      await actorOf(req, 'POST /api/v1/marketplace/modules/:name/reviews')
      const { name } = parseBody(nameParam, req.params)
      const body = parseBody(reviewSchema, req.body)
      const reviewer = body.identity_id ?? (await reviewerOf(ctx.state, body.platform!, body.user_id!, body.user_name))
      const done = await review(ctx.storage, name, {
        reviewer,
        reviewer_name: body.user_name,
        rating: body.rating,
        text: body.text,
      })
      return reply.code(done.replaced ? 200 : 201).send({ module: name, reviewer, replaced: done.replaced })
    },
  )

  const installs = '/api/v1/marketplace/communities/:community/installs'
  type CommunityParams = { Params: { community: string; module?: string } }
  app.get<CommunityParams>(installs, guard(`GET ${installs}`), async (req) => ({
    installs: await installedIn(ctx.storage, req.params.community),
  }))
  app.post<CommunityParams>(installs, guard(`POST ${installs}`), async (req, reply) => {
    const body = parseBody(installSchema, req.body)
    const done = await install(ctx.storage, {
      community: req.params.community,
      module: body.module,
      version: body.version,
      approveScopes: body.approve_scopes,
      actor: await actorOf(req, `POST ${installs}`, body.actor),
      env,
      notify,
    })
    return reply.code(201).send(done)
  })
  app.post<CommunityParams>(`${installs}/:module/upgrade`, guard(`POST ${installs}/:module/upgrade`), async (req) => {
    const body = parseBody(upgradeSchema, req.body ?? {})
    return upgrade(ctx.storage, {
      community: req.params.community,
      module: req.params.module!,
      version: body.version,
      approveScopes: body.approve_scopes,
      actor: await actorOf(req, `POST ${installs}/:module/upgrade`, body.actor),
      env,
      notify,
    })
  })
  for (const state of ['enable', 'disable'] as const) {
    app.post<CommunityParams>(
      `${installs}/:module/${state}`,
      guard(`POST ${installs}/:module/${state}`),
      async (req) => {
        const body = parseBody(actorSchema, req.body ?? {})
        await setEnabled(ctx.storage, {
          community: req.params.community,
          module: req.params.module!,
          enabled: state === 'enable',
          actor: await actorOf(req, `POST ${installs}/:module/${state}`, body.actor),
          notify,
        })
        return { module: req.params.module, enabled: state === 'enable' }
      },
    )
  }
  app.delete<CommunityParams>(`${installs}/:module`, guard(`DELETE ${installs}/:module`), async (req, reply) => {
    await uninstall(ctx.storage, {
      community: req.params.community,
      module: req.params.module!,
      actor: await actorOf(req, `DELETE ${installs}/:module`),
      notify,
    })
    return reply.code(204).send()
  })
}
