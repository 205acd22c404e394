/**
 * The rules for a new event, shared by `!calendar create` and `POST /api/v1/calendar/<community>/events`:
 * each failure names the field (for the 400) and says what is wrong in one chat-ready sentence.
 */
import { defaultUntil, nextOccurrence, type Recurrence, type Series } from './recurrence.js'
import { formatLocal, type LocalTime, parseDate, parseLocal, toEpoch } from './zoned-time.js'

export const TITLE_MAX = 100
export const DESCRIPTION_MAX = 500
export const LOCATION_MAX = 200
export const MAX_ATTENDEES = 100_000
/** Events may be planned at most this far ahead. */
export const HORIZON_MS = 5 * 366 * 86_400_000

export interface EventInput {
  readonly title: string
  readonly start: string
  readonly description: string
  readonly location: string
  readonly max: number | null
  readonly recurrence: Recurrence
  readonly until: string | null
}

export interface ValidEvent {
  readonly title: string
  readonly description: string
  readonly location: string
  readonly start: LocalTime
  readonly startLocal: string
  readonly startAt: number
  readonly maxAttendees: number | null
  readonly recurrence: Recurrence
  readonly until: string | null
}

export type Checked =
  | { readonly ok: true; readonly event: ValidEvent }
  | { readonly ok: false; readonly field: string; readonly message: string }

const fail = (field: string, message: string): Checked => ({ ok: false, field, message })

export function checkEvent(input: EventInput, zone: string, now: number): Checked {
  const title = input.title.trim()
  if (!title) return fail('title', 'The title is empty.')
  if (title.length > TITLE_MAX) return fail('title', `Titles are at most ${TITLE_MAX} characters.`)
  const start = parseLocal(input.start)
  if (!start)
    return fail('start', `"${input.start.slice(0, 40)}" is not a date and time: use "YYYY-MM-DD HH:MM" (${zone}).`)
  const startAt = toEpoch(zone, start)
  if (startAt <= now) return fail('start', `${formatLocal(start)} ${zone} is in the past.`)
  if (startAt > now + HORIZON_MS) return fail('start', 'Events can be planned at most 5 years ahead.')
  if (input.description.length > DESCRIPTION_MAX)
    return fail('description', `The description is longer than ${DESCRIPTION_MAX} characters.`)
  if (input.location.length > LOCATION_MAX)
    return fail('location', `The location is longer than ${LOCATION_MAX} characters.`)
  if (input.max !== null && (!Number.isInteger(input.max) || input.max < 1 || input.max > MAX_ATTENDEES))
    return fail('max', `The attendee limit must be a whole number from 1 to ${MAX_ATTENDEES}.`)
  let until: string | null = null
  if (input.recurrence !== 'none') {
    until = input.until ?? defaultUntil(start)
    const date = parseDate(until)
    if (!date) return fail('until', `"${until.slice(0, 20)}" is not a date: use YYYY-MM-DD.`)
    if (until < input.start.trim().slice(0, 10)) return fail('until', 'The series would end before it starts.')
    if (Date.parse(`${until}T00:00:00Z`) > startAt + HORIZON_MS)
      return fail('until', 'A series can run at most 5 years.')
  } else if (input.until !== null) {
    return fail('until', 'An end date needs a repeating event (weekly or monthly).')
  }
  const series: Series = { start, zone, recurrence: input.recurrence, until }
  if (!nextOccurrence(series, now)) return fail('start', 'The event has no date in the future.')
  return {
    ok: true,
    event: {
      title,
      description: input.description.trim(),
      location: input.location.trim(),
      start,
      startLocal: formatLocal(start),
      startAt,
      maxAttendees: input.max,
      recurrence: input.recurrence,
      until,
    },
  }
}
