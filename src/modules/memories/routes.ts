/**
 * The memories REST API on port 8031 (docs/memories.md), admin or module key (the service key passes):
 * quotes and memos per community, reminders and timers per channel. Bodies and queries are validated with zod;
 * a bad one answers 400 WB_INPUT_INVALID naming the field.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { authenticate } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import type { MemoriesConfig, MemoriesState } from './context.js'
import { memos } from './memos.js'
import { quotes } from './quotes.js'
import { reminders } from './reminders.js'
import { TIMER_NAME } from './timers.js'

type MCtx = ModuleContext<MemoriesConfig, MemoriesState>

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {})
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
  }
  return parsed.data
}

const community = z.string().min(1).max(200).default('default')
const entity = z.string().min(1).max(800)
const listQuery = z.object({
  community_id: community,
  search: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})
const numberParams = z.object({ community_id: z.string().min(1).max(200), number: z.coerce.number().int().min(1) })
const idParams = z.object({ id: z.coerce.number().int().min(1) })

export function memoriesRoutes(app: FastifyInstance, ctx: MCtx): void {
  const auth = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.url.startsWith('/api/v1/memories/')) await authenticate(req, auth, ['module'], 'memories API')
  })
  const text = z.string().trim().min(1).max(ctx.config.max_text_length)
  const now = () => ctx.state.now()

  // Quotes
  app.get('/api/v1/memories/quotes', async (req) => {
    const q = parse(listQuery, req.query)
    const words = q.search?.split(/\s+/).filter(Boolean)
    const rows = words?.length
      ? await quotes.search(ctx.storage, q.community_id, words, q.limit)
      : await quotes.list(ctx.storage, q.community_id, q.limit, q.offset)
    return { quotes: rows }
  })
  app.post('/api/v1/memories/quotes', async (req, reply) => {
    const body = parse(
      z.object({
        community_id: community,
        text,
        author: z.string().trim().min(1).max(64).optional(),
        game: z.string().trim().min(1).max(100).optional(),
        added_by_name: z.string().trim().min(1).max(64).default('api'),
      }),
      req.body,
    )
    const num = await quotes.add(ctx.storage, body.community_id, {
      text: body.text,
      author: body.author ?? null,
      game: body.game ?? null,
      addedBy: 'api',
      addedByName: body.added_by_name,
      now: now(),
    })
    return reply.code(201).send({ community_id: body.community_id, number: num })
  })
  app.get('/api/v1/memories/quotes/:community_id/:number', async (req) => {
    const p = parse(numberParams, req.params)
    const q = await quotes.get(ctx.storage, p.community_id, p.number)
    if (!q) throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'quote', id: `${p.community_id}/${p.number}` })
    return q
  })
  app.delete('/api/v1/memories/quotes/:community_id/:number', async (req, reply) => {
    const p = parse(numberParams, req.params)
    if (!(await quotes.remove(ctx.storage, p.community_id, p.number, now())))
      throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'quote', id: `${p.community_id}/${p.number}` })
    return reply.code(204).send()
  })

  // Memos
  app.get('/api/v1/memories/memos', async (req) => {
    const q = parse(listQuery, req.query)
    const words = q.search?.split(/\s+/).filter(Boolean)
    const rows = words?.length
      ? await memos.search(ctx.storage, q.community_id, words, q.limit)
      : await memos.latest(ctx.storage, q.community_id, q.limit, q.offset)
    return { memos: rows }
  })
  app.post('/api/v1/memories/memos', async (req, reply) => {
    const body = parse(
      z.object({ community_id: community, text, added_by_name: z.string().trim().min(1).max(64).default('api') }),
      req.body,
    )
    const num = await memos.add(ctx.storage, body.community_id, {
      text: body.text,
      addedBy: 'api',
      addedByName: body.added_by_name,
      now: now(),
    })
    return reply.code(201).send({ community_id: body.community_id, number: num })
  })
  app.get('/api/v1/memories/memos/:community_id/:number', async (req) => {
    const p = parse(numberParams, req.params)
    const m = await memos.get(ctx.storage, p.community_id, p.number)
    if (!m) throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'memo', id: `${p.community_id}/${p.number}` })
    return m
  })
  app.delete('/api/v1/memories/memos/:community_id/:number', async (req, reply) => {
    const p = parse(numberParams, req.params)
    if (!(await memos.remove(ctx.storage, p.community_id, p.number, now())))
      throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'memo', id: `${p.community_id}/${p.number}` })
    return reply.code(204).send()
  })

  // Reminders
  app.get('/api/v1/memories/reminders', async (req) => {
    const q = parse(z.object({ entity_id: entity }), req.query)
    return { reminders: await reminders.inChannel(ctx.state.scheduler, q.entity_id) }
  })
  app.post('/api/v1/memories/reminders', async (req, reply) => {
    const body = parse(
      z
        .object({
          entity_id: entity,
          text,
          due_at: z.number().int().positive().optional(),
          in_seconds: z
            .number()
            .int()
            .min(1)
            .max(ctx.config.max_reminder_days * 86_400)
            .optional(),
          user_name: z.string().trim().min(1).max(64),
          for_name: z
            .string()
            .regex(/^[\p{L}\p{N}_.-]{1,40}$/u, 'must be a user name without @')
            .optional(),
        })
        .refine((b) => (b.due_at === undefined) !== (b.in_seconds === undefined), {
          message: 'give exactly one of due_at (epoch ms) and in_seconds',
          path: ['due_at'],
        }),
      req.body,
    )
    const dueAt = body.due_at ?? now() + (body.in_seconds ?? 0) * 1000
    const r = await reminders.create(ctx.state.scheduler, dueAt, {
      entity_id: body.entity_id,
      text: body.text,
      by_id: 'api',
      by_name: body.user_name,
      for_name: body.for_name ?? null,
    })
    return reply.code(201).send(r)
  })
  app.delete('/api/v1/memories/reminders/:id', async (req, reply) => {
    const { id } = parse(idParams, req.params)
    const r = await reminders.get(ctx.state.scheduler, id)
    if (!r) throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'reminder', id })
    await reminders.cancel(ctx.state.scheduler, id)
    return reply.code(204).send()
  })

  // Timers
  const minutes = z.number().int().min(ctx.config.timer_min_minutes).max(1440)
  const minLines = z.number().int().min(0).max(10_000)
  app.get('/api/v1/memories/timers', async (req) => {
    const q = parse(z.object({ entity_id: entity.optional() }), req.query)
    return { timers: await ctx.state.timers.list(q.entity_id) }
  })
  app.post('/api/v1/memories/timers', async (req, reply) => {
    const body = parse(
      z.object({
        entity_id: entity,
        community_id: community,
        name: z.string().regex(TIMER_NAME, 'must be 1-32 of a-z, 0-9, _ and -'),
        minutes,
        text,
        min_lines: minLines.optional(),
      }),
      req.body,
    )
    const timer = await ctx.state.timers.add({
      entityId: body.entity_id,
      communityId: body.community_id,
      name: body.name,
      minutes: body.minutes,
      minLines: body.min_lines ?? null,
      text: body.text,
      createdBy: 'api',
      now: now(),
    })
    if (!timer) throw new WaddleError('WB_MEMORIES_TIMER_EXISTS', { entity: body.entity_id, name: body.name })
    return reply.code(201).send(timer)
  })
  app.patch('/api/v1/memories/timers/:id', async (req) => {
    const { id } = parse(idParams, req.params)
    const body = parse(
      z.object({
        minutes: minutes.optional(),
        text: text.optional(),
        min_lines: minLines.nullable().optional(),
        enabled: z.boolean().optional(),
      }),
      req.body,
    )
    const timer = await ctx.state.timers.update(id, {
      ...(body.minutes === undefined ? {} : { minutes: body.minutes }),
      ...(body.text === undefined ? {} : { text: body.text }),
      ...(body.min_lines === undefined ? {} : { minLines: body.min_lines }),
      ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
    })
    if (!timer) throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'timer', id })
    return timer
  })
  app.delete('/api/v1/memories/timers/:id', async (req, reply) => {
    const { id } = parse(idParams, req.params)
    if (!(await ctx.state.timers.remove(id))) throw new WaddleError('WB_MEMORIES_NOT_FOUND', { what: 'timer', id })
    return reply.code(204).send()
  })
}
