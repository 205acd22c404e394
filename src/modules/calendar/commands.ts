/**
 * `!calendar <create|list|join|leave|show|approve|reject|cancel>`. Creating is for `create_permission`
 * (everyone by default); the event waits for approval unless the creator is at `moderate_permission` or
 * holds the auto-approve label. Approve/reject are for `moderate_permission`; cancel for the creator too.
 * Roles come from the event (ctx.request.user.roles).
 */
import {
  type CommandContext,
  type CommandDefinition,
  permissionRank,
  type Reply,
  userLevel,
} from '../../runtime/module.js'
import { autoApproval } from './autoapprove.js'
import { checkEvent } from './event-input.js'
import { nextOccurrence, type Recurrence } from './recurrence.js'
import { CREATE_USAGE, clip, closedLine, missingLine, named, repeats, seats, USAGE, when, whoMay } from './replies.js'
import { type CalendarConfig, communitySettings } from './settings.js'
import type { CalendarState } from './state.js'
import * as store from './store.js'

type Ctx = CommandContext<CalendarConfig, CalendarState>

const community = (ctx: Ctx) => ctx.request.entity.community_id
/** The storage for this community: writes mark it, so its next reads come from the primary (read-your-writes). */
const db = (ctx: Ctx) => ctx.storage.scope(`community:${community(ctx)}`)
const me = (ctx: Ctx): store.Person => ({
  id: ctx.request.user.id,
  name: ctx.request.user.display_name ?? ctx.request.user.name,
})
const level = (ctx: Ctx) => userLevel(ctx.request.user.roles)
const settingsOf = (ctx: Ctx) => communitySettings(ctx.config, community(ctx))

/** Splits `--weekly`, `--monthly` and `--until DATE` from the positional words. */
function flags(args: readonly string[]): { words: string[]; recurrence: Recurrence; until: string | null } | string {
  const words: string[] = []
  let recurrence: Recurrence = 'none'
  let until: string | null = null
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const flag = a.toLowerCase()
    if (flag === '--weekly' || flag === '--monthly') {
      const r = flag.slice(2) as Recurrence
      if (recurrence !== 'none' && recurrence !== r) return 'Pick one of --weekly or --monthly.'
      recurrence = r
    } else if (flag === '--until' || flag.startsWith('--until=')) {
      until = flag === '--until' ? (args[++i] ?? '') : a.slice(8)
    } else if (flag.startsWith('--')) {
      return `Unknown option ${clip(a, 20)}: use --weekly, --monthly or --until YYYY-MM-DD.`
    } else words.push(a)
  }
  return { words, recurrence, until }
}

async function create(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const cfg = settingsOf(ctx)
  if (level(ctx) < permissionRank(cfg.create)) return `Only ${whoMay(cfg.create)} can create events.`
  const parsed = flags(args)
  if (typeof parsed === 'string') return parsed
  const words = [...parsed.words]
  // `2026-12-10 19:00` typed without quotes arrives as two words.
  if (/^\d{4}-\d{2}-\d{2}$/.test(words[1] ?? '') && /^\d{1,2}:\d{2}$/.test(words[2] ?? ''))
    words.splice(1, 2, `${words[1]} ${words[2]}`)
  const [title = '', start = '', description = '', location = '', max = ''] = words
  if (!title || !start) return CREATE_USAGE
  if (words.length > 5) return `Too many words: quote the description and location. ${CREATE_USAGE}`
  if (max && !/^\d+$/.test(max))
    return `"${clip(max, 20)}" is not an attendee limit: give a whole number, or quote the location.`
  const checked = checkEvent(
    {
      title,
      start,
      description,
      location,
      max: max ? Number(max) : null,
      recurrence: parsed.recurrence,
      until: parsed.until,
    },
    cfg.timezone,
    ctx.state.now(),
  )
  if (!checked.ok) return checked.message
  const approval = await autoApproval(ctx, community(ctx), ctx.request.user)
  const v = checked.event
  const event = await store.createEvent(
    db(ctx),
    {
      communityId: community(ctx),
      entityId: ctx.request.entity.id,
      ...v,
      timezone: cfg.timezone,
      status: approval ? 'approved' : 'pending',
      creator: me(ctx),
    },
    ctx.state.now(),
  )
  await ctx.state.reminders.schedule(event)
  const at = `${when(event, ctx.state.now())}${repeats(event)}`
  if (!approval) return `${named(event)} on ${at} is waiting for a moderator's approval.`
  return `${named(event)} is on ${at}. Join with !calendar join ${event.id}.`
}

async function list(ctx: Ctx, args: readonly string[]): Promise<Reply> {
  const which = (args[0] ?? 'upcoming').toLowerCase()
  const now = ctx.state.now()
  const limit = ctx.config.list_limit
  if (which === 'pending') {
    const events = await store.listEvents(db(ctx).replica, community(ctx), ['pending'])
    if (events.length === 0) return 'No events are waiting for approval.'
    const shown = events.slice(0, limit).map((e) => `${named(e)} ${when(e, now)} by ${e.created_by_name}`)
    return `Pending (${events.length}): ${shown.join('; ')}${events.length > limit ? '; …' : ''}`
  }
  if (which !== 'upcoming') return 'Usage: !calendar list [upcoming|pending]'
  const events = (await store.listEvents(db(ctx).replica, community(ctx), ['approved']))
    .map((e) => ({ e, next: nextOccurrence(store.seriesOf(e), now) }))
    .filter((x) => x.next !== undefined)
    .sort((a, b) => a.next!.at - b.next!.at)
  if (events.length === 0) return 'No upcoming events. Create one with !calendar create "Title" "YYYY-MM-DD HH:MM".'
  const going = await store.goingCounts(
    db(ctx).replica,
    events.map((x) => x.e.id),
  )
  const shown = events
    .slice(0, limit)
    .map(
      ({ e }) =>
        `${named(e)} ${when(e, now)}${e.recurrence === 'none' ? '' : ` ${e.recurrence}`}, ${seats(e, going.get(e.id) ?? 0)}`,
    )
  return `Upcoming: ${shown.join('; ')}${events.length > limit ? `; +${events.length - limit} more` : ''}`
}

function eventId(raw: string | undefined): number | undefined {
  const text = (raw ?? '').replace(/^#/, '')
  return /^\d{1,12}$/.test(text) ? Number(text) : undefined
}

async function join(ctx: Ctx, id: number): Promise<Reply> {
  const r = await store.join(db(ctx), community(ctx), id, me(ctx), ctx.state.now())
  switch (r.kind) {
    case 'missing':
      return missingLine(id)
    case 'closed':
      return closedLine(r.event)
    case 'over':
      return `${named(r.event)} is over; see !calendar list for what is coming.`
    case 'already':
      return r.status === 'going'
        ? `You already joined ${named(r.event)}.`
        : `You are already on the waitlist for ${named(r.event)}.`
    case 'waitlist':
      return `${named(r.event)} is full (${r.event.max_attendees} going); you are #${r.position} on the waitlist.`
    case 'going':
      return `You're in for ${named(r.event)} on ${when(r.event, ctx.state.now())}; ${seats(r.event, r.going)}.`
  }
}

async function leave(ctx: Ctx, id: number): Promise<Reply> {
  const r = await store.leave(db(ctx), community(ctx), id, ctx.request.user.id, ctx.state.now())
  if (r.kind === 'missing') return missingLine(id)
  if (r.kind === 'not_joined') return `You have not joined ${named(r.event)}.`
  const moved = r.promoted ? ` ${r.promoted.user_name} moved up from the waitlist.` : ''
  return `You left ${named(r.event)}${r.was === 'waitlist' ? "'s waitlist" : ''}.${moved}`
}

async function show(ctx: Ctx, id: number): Promise<Reply> {
  const e = await store.getEvent(db(ctx).replica, community(ctx), id)
  if (!e) return missingLine(id)
  const people = await store.attendees(db(ctx).replica, id)
  const going = people.filter((p) => p.status === 'going')
  const waiting = people.length - going.length
  const extra = [e.location && `at ${clip(e.location, 60)}`, e.description && `— ${clip(e.description, 100)}`]
    .filter(Boolean)
    .join(' ')
  const who = going.length
    ? `: ${going
        .slice(0, 10)
        .map((p) => p.user_name)
        .join(', ')}`
    : ''
  return `${named(e)} ${when(e, ctx.state.now())}${repeats(e)} ${extra ? `${extra} ` : ''}[${e.status}] ${seats(e, going.length)}${who}${waiting ? `; ${waiting} waiting` : ''}.`
}

async function decide(ctx: Ctx, status: 'approved' | 'rejected', id: number, reason: string): Promise<Reply> {
  const needed = settingsOf(ctx).moderate
  if (level(ctx) < permissionRank(needed)) return `Only ${whoMay(needed)} can approve or reject events.`
  const r = await store.decide(
    db(ctx),
    community(ctx),
    id,
    { status, by: me(ctx).name, reason: reason || null },
    ctx.state.now(),
  )
  if (r.kind === 'missing') return missingLine(id)
  if (r.kind === 'not_pending') return `${named(r.event)} is not pending (it is ${r.event.status}).`
  if (status === 'rejected') return `Rejected ${named(r.event)}${reason ? `: ${clip(reason, 100)}` : '.'}`
  await ctx.state.reminders.schedule(r.event)
  return `Approved ${named(r.event)} on ${when(r.event, ctx.state.now())}${repeats(r.event)}.`
}

async function cancel(ctx: Ctx, id: number): Promise<Reply> {
  const event = await store.getEvent(db(ctx), community(ctx), id)
  if (!event) return missingLine(id)
  const needed = settingsOf(ctx).moderate
  if (event.created_by !== ctx.request.user.id && level(ctx) < permissionRank(needed))
    return `Only its creator (${event.created_by_name}) or ${whoMay(needed)} can cancel ${named(event)}.`
  const r = await store.cancelEvent(db(ctx), community(ctx), id, me(ctx).name, ctx.state.now())
  if (r.kind === 'missing') return missingLine(id)
  if (r.kind === 'closed') return `${named(r.event)} is already ${r.event.status}.`
  await ctx.state.reminders.schedule(r.event)
  return `Cancelled ${named(r.event)}${r.attendees ? ` (${r.attendees} had joined)` : ''}.`
}

function withId(sub: string, raw: string | undefined, then: (id: number) => Promise<Reply>): Promise<Reply> | Reply {
  const id = eventId(raw)
  if (id === undefined)
    return raw
      ? `"${clip(raw, 20)}" is not an event number. Usage: !calendar ${sub} <id>`
      : `Usage: !calendar ${sub} <id>`
  return then(id)
}

function run(ctx: Ctx): Promise<Reply> | Reply {
  const [word = '', first, ...rest] = ctx.args
  const sub = word.toLowerCase()
  switch (sub) {
    case 'create':
    case 'add':
      return create(ctx, ctx.args.slice(1))
    case 'list':
      return list(ctx, ctx.args.slice(1))
    case 'join':
      return withId(sub, first, (id) => join(ctx, id))
    case 'leave':
      return withId(sub, first, (id) => leave(ctx, id))
    case 'show':
    case 'info':
      return withId(sub, first, (id) => show(ctx, id))
    case 'approve':
      return withId(sub, first, (id) => decide(ctx, 'approved', id, ''))
    case 'reject':
      return withId(sub, first, (id) => decide(ctx, 'rejected', id, rest.join(' ').trim()))
    case 'cancel':
      return withId(sub, first, (id) => cancel(ctx, id))
    default:
      return USAGE
  }
}

export function calendarCommands(): CommandDefinition<CalendarConfig, CalendarState>[] {
  return [
    {
      name: 'calendar',
      summary: 'Community events: create, list, join, leave, show, approve, reject, cancel',
      usage: '<create|list|join|leave|show|approve|reject|cancel> …',
      run,
    },
  ]
}
