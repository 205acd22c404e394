/**
 * Weekly and monthly series in local time: a weekly event keeps its weekday and wall-clock time across DST
 * changes; a monthly one keeps its day of the month and skips months without that day (the 31st), as
 * RFC 5545 does for an RRULE `FREQ=MONTHLY` whose DTSTART is the 31st. A series ends at its `until` date.
 */
import { daysIn, type LocalTime, toEpoch } from './zoned-time.js'

export type Recurrence = 'none' | 'weekly' | 'monthly'

export interface Series {
  readonly start: LocalTime
  readonly zone: string
  readonly recurrence: Recurrence
  /** Last local date an occurrence may fall on (inclusive), as "YYYY-MM-DD"; null for a single event. */
  readonly until: string | null
}

/** Occurrences of a series never go past this many (ten years of weekly events). */
export const MAX_OCCURRENCES = 520

const dateKey = (t: { year: number; month: number; day: number }) =>
  `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`

/** The k-th candidate of the series (k = 0 is the start); undefined for a month that has no such day. */
function candidate(s: Series, k: number): LocalTime | undefined {
  const { start } = s
  if (k === 0) return start
  if (s.recurrence === 'weekly') {
    const d = new Date(Date.UTC(start.year, start.month - 1, start.day + 7 * k))
    return { ...start, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
  }
  if (s.recurrence === 'monthly') {
    const index = start.month - 1 + k
    const year = start.year + Math.floor(index / 12)
    const month = (index % 12) + 1
    return start.day <= daysIn(year, month) ? { ...start, year, month } : undefined
  }
  return undefined
}

/** Every occurrence of the series, in order, as local times and epochs. */
export function* occurrences(s: Series, fromK = 0): Generator<{ local: LocalTime; at: number; k: number }> {
  if (s.recurrence === 'none') {
    if (fromK === 0) yield { local: s.start, at: toEpoch(s.zone, s.start), k: 0 }
    return
  }
  const limit = s.recurrence === 'weekly' ? MAX_OCCURRENCES : MAX_OCCURRENCES / 4
  for (let k = fromK; k < limit; k++) {
    const local = candidate(s, k)
    if (!local) continue
    if (s.until && dateKey(local) > s.until) return
    yield { local, at: toEpoch(s.zone, local), k }
  }
}

/** How many occurrences the series has (its RRULE COUNT). */
export function occurrenceCount(s: Series): number {
  let n = 0
  for (const _ of occurrences(s)) n++
  return n
}

/** The first occurrence starting at or after `from` (epoch), if any. */
export function nextOccurrence(s: Series, from: number): { local: LocalTime; at: number } | undefined {
  const first = toEpoch(s.zone, s.start)
  let fromK = 0
  if (s.recurrence !== 'none' && from > first) {
    const step = s.recurrence === 'weekly' ? 7 * 86_400_000 : 28 * 86_400_000
    // Start a little before the estimate: DST shifts and month lengths make it approximate.
    fromK = Math.max(0, Math.floor((from - first) / step) - 2)
    if (s.recurrence === 'monthly') fromK = Math.max(0, Math.floor(((from - first) / step) * (28 / 31)) - 2)
  }
  for (const o of occurrences(s, fromK)) if (o.at >= from) return o
  return undefined
}

/** The series' last local date when none is given: one year after its start. */
export function defaultUntil(start: LocalTime): string {
  return dateKey({ ...start, year: start.year + 1 })
}

export { dateKey }
