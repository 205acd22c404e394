/**
 * Events and attendees of each community. Changes to one event run in a transaction that first bumps its
 * `version` (the row lock on Postgres; SQLite runs one write transaction at a time), so concurrent joins
 * never put more people in than `max_attendees` and a freed seat goes to exactly one waiting person.
 */
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage, Transaction } from '../../runtime/storage/types.js'
import { nextOccurrence, type Recurrence, type Series } from './recurrence.js'
import { parseLocal } from './zoned-time.js'

export type EventStatus = 'pending' | 'approved' | 'rejected' | 'cancelled'

export interface CalendarEvent {
  readonly id: number
  readonly community_id: string
  readonly entity_id: string
  readonly title: string
  readonly description: string
  readonly location: string
  /** "YYYY-MM-DD HH:MM" in `timezone`. */
  readonly start_local: string
  readonly timezone: string
  readonly start_at: number
  readonly recurrence: Recurrence
  readonly until: string | null
  readonly max_attendees: number | null
  readonly status: EventStatus
  readonly created_by: string
  readonly created_by_name: string
  readonly decided_by: string | null
  readonly decided_at: number | null
  readonly reason: string | null
  readonly created_at: number
  readonly updated_at: number
}

export interface Attendee {
  readonly user_id: string
  readonly user_name: string
  readonly status: 'going' | 'waitlist'
  readonly joined_at: number
}

export interface Person {
  readonly id: string
  readonly name: string
}

export interface NewEvent {
  readonly communityId: string
  readonly entityId: string
  readonly title: string
  readonly description: string
  readonly location: string
  readonly startLocal: string
  readonly timezone: string
  readonly startAt: number
  readonly recurrence: Recurrence
  readonly until: string | null
  readonly maxAttendees: number | null
  readonly status: 'pending' | 'approved'
  readonly creator: Person
}

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

function toEvent(row: CalendarEvent): CalendarEvent {
  return {
    ...row,
    id: Number(row.id),
    start_at: Number(row.start_at),
    max_attendees: numOrNull(row.max_attendees),
    decided_at: numOrNull(row.decided_at),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  }
}

/** The event's schedule, for recurrence.ts. */
export function seriesOf(e: CalendarEvent): Series {
  return { start: parseLocal(e.start_local)!, zone: e.timezone, recurrence: e.recurrence, until: e.until }
}

export async function createEvent(db: Storage, input: NewEvent, now: number): Promise<CalendarEvent> {
  const row = await db.one<CalendarEvent>(sql`insert into calendar_events
    (community_id, entity_id, title, description, location, start_local, timezone, start_at, recurrence, until,
     max_attendees, status, created_by, created_by_name, decided_by, decided_at, created_at, updated_at)
    values (${input.communityId}, ${input.entityId}, ${input.title}, ${input.description}, ${input.location},
      ${input.startLocal}, ${input.timezone}, ${input.startAt}, ${input.recurrence}, ${input.until},
      ${input.maxAttendees}, ${input.status}, ${input.creator.id}, ${input.creator.name},
      ${input.status === 'approved' ? input.creator.name : null}, ${input.status === 'approved' ? now : null},
      ${now}, ${now})
    returning *`)
  return toEvent(row!)
}

export async function getEvent(db: Queryable, communityId: string, id: number): Promise<CalendarEvent | undefined> {
  const row = await db.one<CalendarEvent>(
    sql`select * from calendar_events where community_id = ${communityId} and id = ${id}`,
  )
  return row ? toEvent(row) : undefined
}

async function lockEvent(tx: Transaction, communityId: string, id: number, now: number) {
  const row = await tx.one<CalendarEvent>(sql`update calendar_events set version = version + 1, updated_at = ${now}
    where community_id = ${communityId} and id = ${id} returning *`)
  return row ? toEvent(row) : undefined
}

export async function listEvents(
  db: Queryable,
  communityId: string,
  statuses: readonly EventStatus[],
): Promise<CalendarEvent[]> {
  const rows = await db.query<CalendarEvent>(sql`select * from calendar_events
    where community_id = ${communityId} and status in (${sql.join(statuses)}) order by start_at, id`)
  return rows.map(toEvent)
}

/** Approved events of every community whose series may still have an occurrence at or after `from`. */
export async function approvedEvents(db: Queryable): Promise<CalendarEvent[]> {
  const rows = await db.query<CalendarEvent>(sql`select * from calendar_events where status = 'approved'`)
  return rows.map(toEvent)
}

export type DecideResult =
  | { readonly kind: 'ok'; readonly event: CalendarEvent }
  | { readonly kind: 'missing' }
  | { readonly kind: 'not_pending'; readonly event: CalendarEvent }

/** Approves or rejects a pending event. */
export async function decide(
  db: Storage,
  communityId: string,
  id: number,
  decision: { readonly status: 'approved' | 'rejected'; readonly by: string; readonly reason: string | null },
  now: number,
): Promise<DecideResult> {
  return db.transaction(async (tx) => {
    const event = await lockEvent(tx, communityId, id, now)
    if (!event) return { kind: 'missing' }
    if (event.status !== 'pending') return { kind: 'not_pending', event }
    const row = await tx.one<CalendarEvent>(sql`update calendar_events set status = ${decision.status},
      decided_by = ${decision.by}, decided_at = ${now}, reason = ${decision.reason} where id = ${id} returning *`)
    return { kind: 'ok', event: toEvent(row!) }
  })
}

export type CancelResult =
  | { readonly kind: 'ok'; readonly event: CalendarEvent; readonly attendees: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'closed'; readonly event: CalendarEvent }

export async function cancelEvent(
  db: Storage,
  communityId: string,
  id: number,
  by: string,
  now: number,
): Promise<CancelResult> {
  return db.transaction(async (tx) => {
    const event = await lockEvent(tx, communityId, id, now)
    if (!event) return { kind: 'missing' }
    if (event.status === 'cancelled' || event.status === 'rejected') return { kind: 'closed', event }
    const row = await tx.one<CalendarEvent>(sql`update calendar_events set status = 'cancelled',
      decided_by = ${by}, decided_at = ${now} where id = ${id} returning *`)
    const going = await tx.one<{ n: unknown }>(
      sql`select count(*) as n from calendar_attendees where event_id = ${id} and status = 'going'`,
    )
    return { kind: 'ok', event: toEvent(row!), attendees: Number(going?.n ?? 0) }
  })
}

export type JoinResult =
  | { readonly kind: 'going'; readonly event: CalendarEvent; readonly going: number }
  | { readonly kind: 'waitlist'; readonly event: CalendarEvent; readonly position: number }
  | { readonly kind: 'already'; readonly event: CalendarEvent; readonly status: 'going' | 'waitlist' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'closed'; readonly event: CalendarEvent }
  | { readonly kind: 'over'; readonly event: CalendarEvent }

/** Joins an approved event: a seat while there is one, else the end of the waitlist. */
export async function join(
  db: Storage,
  communityId: string,
  id: number,
  who: Person,
  now: number,
): Promise<JoinResult> {
  return db.transaction(async (tx) => {
    const event = await lockEvent(tx, communityId, id, now)
    if (!event) return { kind: 'missing' }
    if (event.status !== 'approved') return { kind: 'closed', event }
    if (!nextOccurrence(seriesOf(event), now)) return { kind: 'over', event }
    const mine = await tx.one<{ status: 'going' | 'waitlist' }>(
      sql`select status from calendar_attendees where event_id = ${id} and user_id = ${who.id}`,
    )
    if (mine) return { kind: 'already', event, status: mine.status }
    const going = await countStatus(tx, id, 'going')
    const full = event.max_attendees !== null && going >= event.max_attendees
    const status = full ? 'waitlist' : 'going'
    await tx.execute(sql`insert into calendar_attendees (event_id, user_id, user_name, status, joined_at)
      values (${id}, ${who.id}, ${who.name}, ${status}, ${now})`)
    if (!full) return { kind: 'going', event, going: going + 1 }
    return { kind: 'waitlist', event, position: await countStatus(tx, id, 'waitlist') }
  })
}

export type LeaveResult =
  | {
      readonly kind: 'left'
      readonly event: CalendarEvent
      readonly was: 'going' | 'waitlist'
      readonly promoted: Attendee | null
    }
  | { readonly kind: 'not_joined'; readonly event: CalendarEvent }
  | { readonly kind: 'missing' }

/** Leaves an event; a freed seat goes to the first person on the waitlist. */
export async function leave(
  db: Storage,
  communityId: string,
  id: number,
  userId: string,
  now: number,
): Promise<LeaveResult> {
  return db.transaction(async (tx) => {
    const event = await lockEvent(tx, communityId, id, now)
    if (!event) return { kind: 'missing' }
    const mine = await tx.one<{ status: 'going' | 'waitlist' }>(
      sql`delete from calendar_attendees where event_id = ${id} and user_id = ${userId} returning status`,
    )
    if (!mine) return { kind: 'not_joined', event }
    let promoted: Attendee | null = null
    const going = await countStatus(tx, id, 'going')
    if (mine.status === 'going' && (event.max_attendees === null || going < event.max_attendees)) {
      const next = await tx.one<Attendee>(sql`select user_id, user_name, status, joined_at from calendar_attendees
        where event_id = ${id} and status = 'waitlist' order by seq limit 1`)
      if (next) {
        await tx.execute(
          sql`update calendar_attendees set status = 'going' where event_id = ${id} and user_id = ${next.user_id}`,
        )
        promoted = { ...next, status: 'going', joined_at: Number(next.joined_at) }
      }
    }
    return { kind: 'left', event, was: mine.status, promoted }
  })
}

async function countStatus(db: Queryable, id: number, status: 'going' | 'waitlist'): Promise<number> {
  const row = await db.one<{ n: unknown }>(
    sql`select count(*) as n from calendar_attendees where event_id = ${id} and status = ${status}`,
  )
  return Number(row?.n ?? 0)
}

/** Everyone who joined, seats first, each group in join order. */
export async function attendees(db: Queryable, id: number): Promise<Attendee[]> {
  const rows = await db.query<Attendee>(sql`select user_id, user_name, status, joined_at from calendar_attendees
    where event_id = ${id} order by case when status = 'going' then 0 else 1 end, seq`)
  return rows.map((r) => ({ ...r, joined_at: Number(r.joined_at) }))
}

/** Seats taken per event, for list lines. */
export async function goingCounts(db: Queryable, ids: readonly number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map()
  const rows = await db.query<{ event_id: unknown; n: unknown }>(sql`select event_id, count(*) as n
    from calendar_attendees where status = 'going' and event_id in (${sql.join(ids)}) group by event_id`)
  return new Map(rows.map((r) => [Number(r.event_id), Number(r.n)]))
}
