/**
 * Wall-clock time in an IANA zone, with no dependency: `Intl.DateTimeFormat` tells a zone's offset at an
 * instant, from which a local "YYYY-MM-DD HH:MM" becomes an epoch (two passes, so a time next to a DST
 * change lands on the right side) and back.
 */

/** A local date and time (month 1–12). */
export interface LocalTime {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
}

const formats = new Map<string, Intl.DateTimeFormat>()

function format(zone: string): Intl.DateTimeFormat {
  let f = formats.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formats.set(zone, f)
  }
  return f
}

/** True when `zone` is an IANA zone this Node knows. */
export function isValidZone(zone: string): boolean {
  try {
    format(zone)
    return true
  } catch {
    return false
  }
}

/** The zone's local time at `epoch`, seconds included. */
export function toLocal(zone: string, epoch: number): LocalTime & { readonly second: number } {
  const parts: Record<string, number> = {}
  for (const p of format(zone).formatToParts(epoch)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  }
}

/** The zone's offset from UTC at `epoch`, in minutes (east positive). */
export function offsetMinutes(zone: string, epoch: number): number {
  const l = toLocal(zone, epoch)
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second)
  return Math.round((asUtc - Math.floor(epoch / 1000) * 1000) / 60_000)
}

/** The epoch of a local time in `zone`. */
export function toEpoch(zone: string, t: LocalTime): number {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute)
  const first = guess - offsetMinutes(zone, guess) * 60_000
  const second = guess - offsetMinutes(zone, first) * 60_000
  return second
}

/** Parses "YYYY-MM-DD HH:MM" (or "YYYY-MM-DDTHH:MM"); undefined when it is not a real date and time. */
export function parseLocal(text: string): LocalTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$/.exec(text.trim())
  if (!m) return undefined
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number]
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || day < 1 || day > daysIn(year, month)) return undefined
  return { year, month, day, hour, minute }
}

/** Parses "YYYY-MM-DD"; undefined when it is not a real date. */
export function parseDate(text: string): { year: number; month: number; day: number } | undefined {
  const t = parseLocal(`${text.trim()} 00:00`)
  return t ? { year: t.year, month: t.month, day: t.day } : undefined
}

export function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** "2026-12-10 19:00". */
export const formatLocal = (t: LocalTime): string =>
  `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)}`

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "Thu 10 Dec 2026 19:00" for chat. */
export function describeLocal(t: LocalTime): string {
  const weekday = WEEKDAYS[new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay()]
  return `${weekday} ${t.day} ${MONTHS[t.month - 1]} ${t.year} ${pad(t.hour)}:${pad(t.minute)}`
}
