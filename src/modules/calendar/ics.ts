/**
 * The iCalendar feed of a community (RFC 5545): its approved events, each DTSTART in the zone it was created
 * in (TZID) with a VTIMEZONE per zone built from the zone's real offsets (Intl), a weekly or monthly series as
 * an RRULE with the COUNT of its occurrences. Text is escaped (§3.3.11), lines are folded at 75 octets
 * (§3.1) and end in CRLF.
 */
import { occurrenceCount } from './recurrence.js'
import { type CalendarEvent, seriesOf } from './store.js'
import { type LocalTime, offsetMinutes, parseLocal, toLocal } from './zoned-time.js'

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0')

const localStamp = (t: LocalTime & { second?: number }) =>
  `${pad(t.year, 4)}${pad(t.month)}${pad(t.day)}T${pad(t.hour)}${pad(t.minute)}${pad(t.second ?? 0)}`

const utcStamp = (epoch: number) => `${localStamp(toLocal('UTC', epoch))}Z`

const offsetText = (minutes: number) =>
  `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`

export const escapeText = (s: string): string =>
  s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n')

/** Folds a content line to at most 75 octets per line, never inside a UTF-8 character. */
export function fold(line: string): string {
  const out: string[] = []
  let current = ''
  let octets = 0
  for (const ch of line) {
    const size = Buffer.byteLength(ch)
    const limit = out.length === 0 ? 75 : 74 // continuation lines start with a space
    if (octets + size > limit) {
      out.push(current)
      current = ''
      octets = 0
    }
    current += ch
    octets += size
  }
  out.push(current)
  return out.join('\r\n ')
}

interface Transition {
  readonly at: number
  readonly from: number
  readonly to: number
}

/** The zone's offset changes between the two instants: a day-by-day scan, each change found to the minute. */
function transitions(zone: string, start: number, end: number): Transition[] {
  const found: Transition[] = []
  const day = 86_400_000
  let prev = offsetMinutes(zone, start)
  for (let t = start + day; t <= end + day; t += day) {
    const cur = offsetMinutes(zone, t)
    if (cur === prev) continue
    let lo = t - day
    let hi = t
    while (hi - lo > 60_000) {
      const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000
      if (offsetMinutes(zone, mid) === prev) lo = mid
      else hi = mid
    }
    found.push({ at: hi, from: prev, to: cur })
    prev = cur
  }
  return found
}

/** A VTIMEZONE for `zone` covering the years of `from`..`to` (epoch ms). */
export function vtimezone(zone: string, from: number, to: number): string[] {
  const startYear = toLocal('UTC', from).year
  const begin = Date.UTC(startYear, 0, 1)
  const end = Date.UTC(toLocal('UTC', to).year + 1, 0, 1)
  const found = transitions(zone, begin, end)
  const offsets = [offsetMinutes(zone, begin), ...found.map((t) => t.to)]
  const standard = Math.min(...offsets)
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`]
  const observance = (at: LocalTime & { second?: number }, fromOff: number, toOff: number) => {
    const kind = toOff > standard ? 'DAYLIGHT' : 'STANDARD'
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${localStamp(at)}`,
      `TZOFFSETFROM:${offsetText(fromOff)}`,
      `TZOFFSETTO:${offsetText(toOff)}`,
      `END:${kind}`,
    )
  }
  const first = offsetMinutes(zone, begin)
  observance(toLocal(zone, begin), first, first)
  // An observance's DTSTART is the local time just before the change (in the offset it changes from).
  for (const t of found) observance(toLocal('UTC', t.at + t.from * 60_000), t.from, t.to)
  lines.push('END:VTIMEZONE')
  return lines
}

export interface FeedOptions {
  readonly communityId: string
  readonly durationMinutes: number
  readonly now: number
  /** Host part of the UIDs. */
  readonly host: string
}

function vevent(e: CalendarEvent, o: FeedOptions): string[] {
  const start = parseLocal(e.start_local)!
  const dtstart =
    e.timezone === 'UTC' ? `DTSTART:${localStamp(start)}Z` : `DTSTART;TZID=${e.timezone}:${localStamp(start)}`
  const lines = [
    'BEGIN:VEVENT',
    `UID:event-${e.id}.${escapeText(e.community_id)}@${o.host}`,
    `DTSTAMP:${utcStamp(e.updated_at)}`,
    `CREATED:${utcStamp(e.created_at)}`,
    `LAST-MODIFIED:${utcStamp(e.updated_at)}`,
    dtstart,
    `DURATION:PT${o.durationMinutes}M`,
  ]
  if (e.recurrence !== 'none') {
    lines.push(`RRULE:FREQ=${e.recurrence === 'weekly' ? 'WEEKLY' : 'MONTHLY'};COUNT=${occurrenceCount(seriesOf(e))}`)
  }
  lines.push(`SUMMARY:${escapeText(e.title)}`)
  if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`)
  if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`)
  lines.push('STATUS:CONFIRMED')
  lines.push('END:VEVENT')
  return lines
}

/** The whole feed, CRLF-terminated. */
export function buildFeed(events: readonly CalendarEvent[], o: FeedOptions): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//waddlebot//calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`${o.communityId} events`)}`,
  ]
  const zones = new Map<string, { from: number; to: number }>()
  for (const e of events) {
    if (e.timezone === 'UTC') continue
    const span = zones.get(e.timezone) ?? { from: e.start_at, to: e.start_at }
    const last = e.until ? Date.parse(`${e.until}T00:00:00Z`) : e.start_at
    zones.set(e.timezone, { from: Math.min(span.from, e.start_at), to: Math.max(span.to, last) })
  }
  for (const [zone, span] of zones) lines.push(...vtimezone(zone, span.from, span.to))
  for (const e of events) lines.push(...vevent(e, o))
  lines.push('END:VCALENDAR')
  return `${lines.map(fold).join('\r\n')}\r\n`
}
