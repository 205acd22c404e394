/**
 * Expands a custom command's text: `{user}`, `{touser}`, `{arg1}`…`{argN}`, `{args}`, `{count}`,
 * `{random:a|b|c}`, `{random.number:1-100}`, `{time}` / `{time:<IANA zone>}`, `{uptime}`, `{channel}`.
 * A variable it does not know (or cannot fill: a bad zone, a bad range) stays as typed; it never throws.
 */

/** The values of one use. `count` and `uptime` are computed only when the text needs them. */
export interface TemplateValues {
  readonly user: string
  readonly args: readonly string[]
  readonly channel: string
  readonly now: number
  readonly count?: number | undefined
  /** A duration such as "1h 5m", "offline" or "unknown". */
  readonly uptime?: string | undefined
  /** 0 ≤ x < 1; default Math.random. */
  readonly random?: () => number
}

const VARIABLE = /\{([a-z][a-z0-9_.]*)(?::([^{}]*))?\}/gi

/** Whether `text` uses the variable `name` (`{count}`, `{uptime}`): decides what to look up before expanding. */
export function uses(text: string, name: string): boolean {
  return text.includes(`{${name}}`)
}

export function expand(text: string, values: TemplateValues): string {
  if (!text.includes('{')) return text
  return text.replace(VARIABLE, (whole, rawName: string, param: string | undefined) => {
    const value = resolve(rawName.toLowerCase(), param, values)
    return value === undefined ? whole : value
  })
}

function resolve(name: string, param: string | undefined, v: TemplateValues): string | undefined {
  if (param === undefined) {
    switch (name) {
      case 'user':
        return v.user
      case 'touser':
        return v.args[0] ? v.args[0].replace(/^@+/, '') || v.user : v.user
      case 'args':
        return v.args.join(' ')
      case 'channel':
        return v.channel
      case 'count':
        return v.count === undefined ? undefined : String(v.count)
      case 'uptime':
        return v.uptime
      case 'time':
        return timeIn('UTC', v.now)
    }
    const arg = /^arg([1-9][0-9]?)$/.exec(name)
    if (arg) return v.args[Number(arg[1]) - 1] ?? ''
    return undefined
  }
  const pick = v.random ?? Math.random
  if (name === 'random') {
    const options = param.split('|')
    return options[Math.floor(pick() * options.length)] ?? ''
  }
  if (name === 'random.number') {
    const m = /^\s*(-?\d{1,15})\s*-\s*(-?\d{1,15})\s*$/.exec(param)
    if (!m) return undefined
    const lo = Number(m[1])
    const hi = Number(m[2])
    if (hi < lo) return undefined
    return String(lo + Math.floor(pick() * (hi - lo + 1)))
  }
  if (name === 'time') return timeIn(param.trim(), v.now)
  return undefined
}

const formats = new Map<string, Intl.DateTimeFormat | null>()

/** "14:05 UTC" / "15:05 CET"; undefined for a zone Intl does not know. */
function timeIn(zone: string, now: number): string | undefined {
  let format = formats.get(zone)
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZoneName: 'short',
      })
    } catch {
      format = null
    }
    if (formats.size < 500) formats.set(zone, format)
  }
  return format?.format(now)
}

/** "2h 5m", "12m", "40s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  if (d > 0) return `${d}d ${h}h ${m}m`
  if (h > 0) return `${h}h ${m}m`
  if (m > 0) return `${m}m`
  return `${s % 60}s`
}
