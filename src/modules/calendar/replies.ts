/** The calendar's chat lines: one line each. */
import type { PermissionLevel } from '../../runtime/module.js'
import { nextOccurrence } from './recurrence.js'
import { type CalendarEvent, seriesOf } from './store.js'
import { describeLocal } from './zoned-time.js'

export const USAGE =
  'Usage: !calendar <create|list|join|leave|show|approve|reject|cancel> … (e.g. !calendar create "Movie night" "2026-12-10 19:00" "We watch Alien" Discord 20 --weekly)'
export const CREATE_USAGE =
  'Usage: !calendar create "Title" "YYYY-MM-DD HH:MM" [description] [location] [max] [--weekly|--monthly] [--until YYYY-MM-DD]'

export const clip = (s: string, n = 50): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

export function whoMay(level: PermissionLevel): string {
  if (level === 'everyone') return 'everyone'
  if (level === 'broadcaster') return 'the broadcaster'
  return `${level === 'vip' ? 'VIP' : level}s and above`
}

export const named = (e: CalendarEvent): string => `#${e.id} "${clip(e.title)}"`

/** "Thu 10 Dec 2026 19:00 (Europe/Berlin)" of the next occurrence at or after `now` (else the first). */
export function when(e: CalendarEvent, now: number): string {
  const next = nextOccurrence(seriesOf(e), now)
  return `${describeLocal(next?.local ?? seriesOf(e).start)} (${e.timezone})`
}

export const repeats = (e: CalendarEvent): string =>
  e.recurrence === 'none' ? '' : `, ${e.recurrence} until ${e.until}`

export const seats = (e: CalendarEvent, going: number): string =>
  e.max_attendees === null ? `${going} going` : `${going}/${e.max_attendees} going`

export function closedLine(e: CalendarEvent): string {
  if (e.status === 'pending') return `${named(e)} is waiting for approval; you can join once it is approved.`
  return `${named(e)} was ${e.status}${e.reason ? ` (${clip(e.reason, 80)})` : ''}.`
}

export const missingLine = (id: number): string => `No event #${id} in this community's calendar.`
