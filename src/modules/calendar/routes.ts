/**
 * The calendar on its port (8030):
 * - `GET /calendar/<community>.ics`: the community's approved events as iCalendar (CONTRACT §9), no key
 *   needed (calendar apps subscribe without headers); `feed: false` in the settings turns it off.
 * - `/api/v1/calendar/<community>/events…`: the REST API (module or admin key, or the service key). Bodies
 *   are validated, a bad one answered 400 naming the field; a key holder acts with full rights, except that
 *   a new event's approval follows the same rule as in chat (the `creator` roles and label).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { describeIssue } from '../../contract/validate.js'
import { type AuthOptions, authenticate, requireKey } from '../../runtime/auth.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleContext } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { autoApproval } from './autoapprove.js'
import { checkEvent } from './event-input.js'
import { buildFeed } from './ics.js'
import { nextOccurrence } from './recurrence.js'
import { API_ENTITY } from './reminders.js'
import { type CalendarConfig, communitySettings } from './settings.js'
import type { CalendarState } from './state.js'
import * as store from './store.js'

const person = z.object({ id: z.string().min(1).max(128), name: z.string().min(1).max(64) })
const actor = person.default({ id: 'api', name: 'api' })
const createBody = z.strictObject({
  title: z.string(),
  start: z.string(),
  description: z.string().default(''),
  location: z.string().default(''),
  max_attendees: z.number().nullable().default(null),
  recurrence: z.enum(['none', 'weekly', 'monthly']).default('none'),
  until: z.string().nullable().default(null),
  creator: person.extend({ roles: z.array(z.string()).default([]) }),
  /** The channel its reminders go to (`<platform>:<server>:<channel>`); none: no reminders are posted. */
  entity_id: z.string().min(1).max(800).optional(),
})
const userBody = z.strictObject({ user: person })
const decideBody = z.strictObject({ by: actor, reason: z.string().max(300).optional() })
const cancelBody = z.strictObject({ by: actor })
const listQuery = z.object({ status: z.enum(['upcoming', 'pending', 'all']).default('upcoming') })
const communityParam = z.object({ community: z.string().min(1).max(128) })
const eventParam = communityParam.extend({ id: z.coerce.number().int().positive() })

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {})
  if (parsed.success) return parsed.data
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
}

const conflict = (reason: string) => new WaddleError('WB_STATE_CONFLICT', { reason })
const missing = (community: string, id: number) =>
  new WaddleError('WB_NOT_FOUND', { what: `event ${id} of community ${community}` })

export function calendarRoutes(app: FastifyInstance, ctx: ModuleContext<CalendarConfig, CalendarState>): void {
  const auth: AuthOptions = { db: ctx.storage, serviceKey: resolveServiceKey(ctx.settings), requireKeys: true }
  const guard = (route: string) => ({ onRequest: requireKey(auth, ['module'], route) })
  const check = (req: FastifyRequest, route: string) => authenticate(req, auth, ['module'], route)
  const now = () => ctx.state.now()
  const base = '/api/v1/calendar/:community/events'

  app.get<{ Params: { file: string } }>('/calendar/:file', async (req, reply) => {
    const file = req.params.file
    if (!ctx.config.feed || !file.endsWith('.ics') || file.length <= 4)
      throw new WaddleError('WB_NOT_FOUND', { what: `GET /calendar/${file}` })
    const communityId = file.slice(0, -4)
    const events = await store.listEvents(ctx.storage.read(`community:${communityId}`), communityId, ['approved'])
    const body = buildFeed(events, {
      communityId,
      durationMinutes: ctx.config.duration_minutes,
      now: now(),
      host: 'waddlebot.local',
    })
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', `inline; filename="${communityId.replace(/[^\w.-]/g, '_')}.ics"`)
      .send(body)
  })

  app.get(base, guard('GET events'), async (req) => {
    await check(req, 'GET events')
    const { community } = parse(communityParam, req.params)
    const { status } = parse(listQuery, req.query)
    const t = now()
    if (status === 'pending')
      return { events: await store.listEvents(ctx.storage.read(`community:${community}`), community, ['pending']) }
    if (status === 'all')
      return {
        events: await store.listEvents(ctx.storage.read(`community:${community}`), community, [
          'pending',
          'approved',
          'rejected',
          'cancelled',
        ]),
      }
    const events = (await store.listEvents(ctx.storage.read(`community:${community}`), community, ['approved']))
      .map((e) => ({ ...e, next_at: nextOccurrence(store.seriesOf(e), t)?.at ?? null }))
      .filter((e) => e.next_at !== null)
      .sort((a, b) => a.next_at! - b.next_at!)
    return { events }
  })

  app.get(`${base}/:id`, guard('GET event'), async (req) => {
    await check(req, 'GET event')
    const { community, id } = parse(eventParam, req.params)
    const event = await store.getEvent(ctx.storage.read(`community:${community}`), community, id)
    if (!event) throw missing(community, id)
    return { event, attendees: await store.attendees(ctx.storage.read(`community:${community}`), id) }
  })

  app.post(base, guard('POST events'), async (req, reply) => {
    await check(req, 'POST events')
    const { community } = parse(communityParam, req.params)
    const body = parse(createBody, req.body)
    const zone = communitySettings(ctx.config, community).timezone
    const checked = checkEvent({ ...body, max: body.max_attendees }, zone, now())
    if (!checked.ok) {
      const field = checked.field === 'max' ? 'max_attendees' : checked.field
      throw new WaddleError('WB_INPUT_INVALID', { field, reason: checked.message })
    }
    const approval = await autoApproval(ctx, community, body.creator)
    const event = await store.createEvent(
      ctx.storage.scope(`community:${community}`),
      {
        communityId: community,
        entityId: body.entity_id ?? `${API_ENTITY}${community}`,
        ...checked.event,
        timezone: zone,
        status: approval ? 'approved' : 'pending',
        creator: body.creator,
      },
      now(),
    )
    await ctx.state.reminders.schedule(event)
    return reply.code(201).send({ event })
  })

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`${base}/:id/${decision}`, guard(`POST ${decision}`), async (req) => {
      await check(req, `POST ${decision}`)
      const { community, id } = parse(eventParam, req.params)
      const body = parse(decideBody, req.body)
      const status = decision === 'approve' ? 'approved' : 'rejected'
      const r = await store.decide(
        ctx.storage.scope(`community:${community}`),
        community,
        id,
        { status, by: body.by.name, reason: body.reason ?? null },
        now(),
      )
      if (r.kind === 'missing') throw missing(community, id)
      if (r.kind === 'not_pending') throw conflict(`event ${id} is not pending (it is ${r.event.status})`)
      await ctx.state.reminders.schedule(r.event)
      return { event: r.event }
    })
  }

  app.post(`${base}/:id/cancel`, guard('POST cancel'), async (req) => {
    await check(req, 'POST cancel')
    const { community, id } = parse(eventParam, req.params)
    const { by } = parse(cancelBody, req.body)
    const r = await store.cancelEvent(ctx.storage.scope(`community:${community}`), community, id, by.name, now())
    if (r.kind === 'missing') throw missing(community, id)
    if (r.kind === 'closed') throw conflict(`event ${id} is already ${r.event.status}`)
    await ctx.state.reminders.schedule(r.event)
    return { event: r.event }
  })

  app.post(`${base}/:id/join`, guard('POST join'), async (req) => {
    await check(req, 'POST join')
    const { community, id } = parse(eventParam, req.params)
    const { user } = parse(userBody, req.body)
    const r = await store.join(ctx.storage.scope(`community:${community}`), community, id, user, now())
    if (r.kind === 'missing') throw missing(community, id)
    if (r.kind === 'closed') throw conflict(`event ${id} is ${r.event.status}`)
    if (r.kind === 'over') throw conflict(`event ${id} is over`)
    if (r.kind === 'already') return { status: r.status, already: true }
    return r.kind === 'going' ? { status: 'going', going: r.going } : { status: 'waitlist', position: r.position }
  })

  app.post(`${base}/:id/leave`, guard('POST leave'), async (req) => {
    await check(req, 'POST leave')
    const { community, id } = parse(eventParam, req.params)
    const { user } = parse(userBody, req.body)
    const r = await store.leave(ctx.storage.scope(`community:${community}`), community, id, user.id, now())
    if (r.kind === 'missing') throw missing(community, id)
    if (r.kind === 'not_joined') throw conflict(`${user.id} has not joined event ${id}`)
    return { left: r.was, promoted: r.promoted }
  })
}
