/**
 * The inventory REST API on the module's port (8024), under `/api/v1/inventory/<community>/…`. Every route
 * needs a key (module or admin scope, or the service key); bodies are validated and a bad one is answered
 * 400 naming the field. A key holder acts with full rights: the chat permission applies to chat only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import type { InventoryState } from './commands.js'
import type { InventoryConfig } from './settings.js'
import * as store from './store.js'
import { parseLabels, validName } from './validate.js'

const actorSchema = z
  .object({ id: z.string().min(1).max(128), name: z.string().min(1).max(64) })
  .default({ id: 'api', name: 'api' })
const itemName = z.string().superRefine((v, c) => {
  const bad = validName(v)
  if (bad) c.addIssue({ code: 'custom', message: bad })
})
const labelList = z
  .array(z.string())
  .default([])
  .transform((v, c) => {
    const parsed = parseLabels(v)
    if (typeof parsed === 'string') {
      c.addIssue({ code: 'custom', message: parsed })
      return z.NEVER
    }
    return parsed
  })
const addBody = z.strictObject({
  name: itemName,
  description: z.string().max(store.DESCRIPTION_MAX).default(''),
  labels: labelList,
  actor: actorSchema,
})
const checkoutBody = z.strictObject({ to: z.string().trim().min(1).max(64), actor: actorSchema })
const actorBody = z.strictObject({ actor: actorSchema })
const labelBody = z.strictObject({
  action: z.enum(['add', 'remove']),
  label: z.string().regex(store.LABEL_PATTERN, 'use 1–32 lower-case letters, digits, - or _'),
  actor: actorSchema,
})
const listQuery = z.object({
  filter: z.enum(['all', 'available', 'checkedout']).default('all'),
  q: z.string().max(100).optional(),
})
const activityQuery = z.object({
  item: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
})
const communityParam = z.object({ community: z.string().min(1).max(128) })
const itemParam = communityParam.extend({ item: itemName })

function parse<T>(schema: z.ZodType<T>, input: unknown, where?: string): T {
  const parsed = schema.safeParse(input ?? {})
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field: where && field === 'body' ? where : field, reason: message })
}

const conflict = (reason: string) => new WaddleError('WB_STATE_CONFLICT', { reason })
const missing = (community: string, item: string) =>
  new WaddleError('WB_NOT_FOUND', { what: `inventory item "${item}" of community ${community}` })

export function inventoryRoutes(app: FastifyInstance, ctx: ModuleContext<InventoryConfig, InventoryState>): void {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (route: string) => ({ onRequest: requireKey(auth, ['module'], route) })
  const check = (req: FastifyRequest, route: string) => authenticate(req, auth, ['module'], route)
  const now = () => ctx.state.now()
  const base = '/api/v1/inventory/:community'

  app.get(`${base}/items`, guard('GET items'), async (req) => {
    await check(req, 'GET items')
    const { community } = parse(communityParam, req.params)
    const { filter, q } = parse(listQuery, req.query)
    const items = q
      ? (await store.searchItems(ctx.storage.read(`community:${community}`), community, q)).filter(
          (i) => filter === 'all' || (filter === 'available') === (i.checked_out_to === null),
        )
      : await store.listItems(ctx.storage.read(`community:${community}`), community, filter)
    return { items }
  })

  app.get(`${base}/items/:item`, guard('GET item'), async (req) => {
    await check(req, 'GET item')
    const { community, item } = parse(itemParam, req.params)
    const found = await store.findItem(ctx.storage.read(`community:${community}`), community, item)
    if (!found) throw missing(community, item)
    const log = await store.activity(ctx.storage.read(`community:${community}`), community, { item, limit: 20 })
    return { item: found, activity: log }
  })

  app.post(`${base}/items`, guard('POST items'), async (req, reply) => {
    await check(req, 'POST items')
    const { community } = parse(communityParam, req.params)
    const body = parse(addBody, req.body)
    const result = await store.addItem(ctx.storage.scope(`community:${community}`), community, body, body.actor, now())
    if (result.kind === 'exists') throw conflict(`${result.item.name} is already in the inventory`)
    return reply.code(201).send({ item: result.item })
  })

  app.post(`${base}/items/:item/checkout`, guard('POST checkout'), async (req) => {
    await check(req, 'POST checkout')
    const { community, item } = parse(itemParam, req.params)
    const body = parse(checkoutBody, req.body)
    const result = await store.checkout(
      ctx.storage.scope(`community:${community}`),
      community,
      item,
      body.to,
      body.actor,
      now(),
    )
    if (result.kind === 'missing') throw missing(community, item)
    if (result.kind === 'taken')
      throw conflict(`${result.item.name} is already checked out to ${result.item.checked_out_to}`)
    return { item: result.item }
  })

  app.post(`${base}/items/:item/checkin`, guard('POST checkin'), async (req) => {
    await check(req, 'POST checkin')
    const { community, item } = parse(itemParam, req.params)
    const { actor } = parse(actorBody, req.body)
    const result = await store.checkin(ctx.storage.scope(`community:${community}`), community, item, actor, now())
    if (result.kind === 'missing') throw missing(community, item)
    if (result.kind === 'not_out') throw conflict(`${result.item.name} is not checked out`)
    return { item: result.item, from: result.from }
  })

  app.delete(`${base}/items/:item`, guard('DELETE item'), async (req) => {
    await check(req, 'DELETE item')
    const { community, item } = parse(itemParam, req.params)
    const { actor } = parse(actorBody, req.body)
    const result = await store.deleteItem(ctx.storage.scope(`community:${community}`), community, item, actor, now())
    if (result.kind === 'missing') throw missing(community, item)
    if (result.kind === 'checked_out')
      throw conflict(`${result.item.name} is checked out to ${result.item.checked_out_to}`)
    return { deleted: result.item }
  })

  app.post(`${base}/items/:item/labels`, guard('POST labels'), async (req) => {
    await check(req, 'POST labels')
    const { community, item } = parse(itemParam, req.params)
    const body = parse(labelBody, req.body)
    const result = await store.changeLabel(
      ctx.storage.scope(`community:${community}`),
      community,
      item,
      body,
      body.actor,
      now(),
    )
    if (result.kind === 'missing') throw missing(community, item)
    if (result.kind === 'full') throw conflict(`${result.item.name} already has ${store.MAX_LABELS} labels`)
    return { item: result.item, changed: result.kind === 'ok' }
  })

  app.get(`${base}/stats`, guard('GET stats'), async (req) => {
    await check(req, 'GET stats')
    const { community } = parse(communityParam, req.params)
    return store.stats(ctx.storage.read(`community:${community}`), community)
  })

  app.get(`${base}/activity`, guard('GET activity'), async (req) => {
    await check(req, 'GET activity')
    const { community } = parse(communityParam, req.params)
    const { item, limit } = parse(activityQuery, req.query)
    return { activity: await store.activity(ctx.storage.read(`community:${community}`), community, { item, limit }) }
  })
}
