/**
 * Filter settings as text (`waddlebot moderation filters set links allow=youtube.com,clips.twitch.tv`) and as
 * stored overrides (JSON, only the keys that were set), merged over the defaults: defaults ← community ←
 * channel.
 */
import { WaddleError } from '../../../runtime/errors.js'
import {
  DEFAULT_FILTER_SETTINGS,
  FILTER_ACTIONS,
  type FilterName,
  type FilterSettings,
  isRole,
  keysOf,
  type Step,
} from './types.js'

/** Stored overrides of one filter: key → typed value. */
export type Overrides = Readonly<Record<string, unknown>>

const invalid = (field: string, reason: string): WaddleError => new WaddleError('WB_INPUT_INVALID', { field, reason })

const INT_RANGES: Record<string, readonly [number, number]> = {
  duration: [1, 1_209_600],
  window: [1, 604_800],
  permit_seconds: [1, 3600],
  max_marks: [1, 50],
  max: [1, 10_000],
  max_char_run: [2, 500],
  max_word_repeats: [2, 500],
  min_length: [1, 10_000],
  percent: [1, 100],
}

function parseBool(field: string, text: string): boolean {
  const t = text.trim().toLowerCase()
  if (['true', 'on', 'yes', '1'].includes(t)) return true
  if (['false', 'off', 'no', '0'].includes(t)) return false
  throw invalid(field, `"${text}" is not true or false`)
}

function parseWhole(field: string, text: string, [min, max]: readonly [number, number]): number {
  const n = /^\s*\d{1,9}\s*$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw invalid(field, `"${text}" must be a whole number from ${min} to ${max}`)
  return n
}

const list = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')

/** `warn,timeout:60,timeout:600,ban` → steps. */
export function parseSteps(field: string, text: string): Step[] {
  const steps = list(text).map((token): Step => {
    const [action, seconds] = token.toLowerCase().split(':')
    if (action === 'timeout')
      return { action, duration: seconds === undefined ? 600 : parseWhole(field, seconds, INT_RANGES.duration!) }
    if ((action === 'warn' || action === 'delete' || action === 'ban') && seconds === undefined) return { action }
    throw invalid(field, `"${token}" is not a step (warn, delete, timeout:<seconds>, ban)`)
  })
  if (steps.length === 0 || steps.length > 10)
    throw invalid(field, 'give 1 to 10 steps, e.g. warn,timeout:60,timeout:600')
  return steps
}

export const formatSteps = (steps: readonly Step[]): string =>
  steps.map((s) => (s.action === 'timeout' ? `timeout:${s.duration ?? 600}` : s.action)).join(',')

/** `https://www.Example.com/` → `example.com`; undefined when it is not a domain name. */
export function normalizeDomain(text: string): string | undefined {
  const d = text
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^\*?\./, '')
    .replace(/^www\./, '')
    .replace(/\/.*$/, '')
  return /^(?:[\p{L}\p{N}-]{1,63}\.)+[\p{L}\p{N}-]{2,63}$/u.test(d) ? d : undefined
}

/**
 * Parses `value` for `filter`'s `key`; the typed value to store.
 * @throws WaddleError WB_INPUT_INVALID naming `<filter>.<key>`
 */
export function parseSetting(filter: FilterName, key: string, value: string): unknown {
  const field = `${filter}.${key}`
  if (!keysOf(filter).includes(key)) throw invalid(field, `unknown key; ${filter} has ${keysOf(filter).join(', ')}`)
  switch (key) {
    case 'enabled':
    case 'delete':
      return parseBool(field, value)
    case 'action': {
      const a = value.trim().toLowerCase()
      if (!(FILTER_ACTIONS as readonly string[]).includes(a))
        throw invalid(field, `use one of ${FILTER_ACTIONS.join(', ')}`)
      return a
    }
    case 'steps':
      return parseSteps(field, value)
    case 'reason': {
      const r = value.trim()
      if (r === '' || r.length > 200) throw invalid(field, 'give a line of 1 to 200 characters')
      return r
    }
    case 'exempt': {
      const roles = list(value.toLowerCase())
      const bad = roles.find((r) => !isRole(r))
      if (bad !== undefined)
        throw invalid(field, `"${bad}" is not a role (broadcaster, owner, admin, moderator, vip, subscriber)`)
      return roles
    }
    case 'exempt_labels':
      return list(value)
    case 'allow': {
      const domains = list(value).map((d) => normalizeDomain(d) ?? d)
      const bad = domains.find((d) => normalizeDomain(d) === undefined)
      if (bad !== undefined) throw invalid(field, `"${bad}" is not a domain name`)
      return domains
    }
    default:
      return parseWhole(field, value, INT_RANGES[key] ?? [0, 1_000_000])
  }
}

/** Parses `key=value` pairs; every pair is checked before anything is returned. */
export function parseAssignments(filter: FilterName, pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (pairs.length === 0) throw invalid('settings', 'give at least one key=value')
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw invalid('settings', `"${pair}" is not key=value`)
    const key = pair.slice(0, eq).trim().toLowerCase().replace(/-/g, '_')
    out[key] = parseSetting(filter, key, pair.slice(eq + 1))
  }
  return out
}

/** Keeps only known keys whose stored value still has the default's type (a hand-edited row cannot break a router). */
function sane(filter: FilterName, overrides: Overrides | undefined): Overrides {
  if (!overrides) return {}
  const defaults = DEFAULT_FILTER_SETTINGS[filter] as unknown as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(overrides)) {
    const d = defaults[key]
    if (d === undefined || value === null || value === undefined) continue
    if (Array.isArray(d) ? Array.isArray(value) : typeof d === typeof value) out[key] = value
  }
  return out
}

/** Every filter's settings: defaults, then the community's overrides, then the channel's. */
export function resolveSettings(
  community: Partial<Record<FilterName, Overrides>> = {},
  channel: Partial<Record<FilterName, Overrides>> = {},
): FilterSettings {
  const out: Record<string, unknown> = {}
  for (const name of Object.keys(DEFAULT_FILTER_SETTINGS) as FilterName[]) {
    out[name] = { ...DEFAULT_FILTER_SETTINGS[name], ...sane(name, community[name]), ...sane(name, channel[name]) }
  }
  return out as unknown as FilterSettings
}

/** A setting's value as text, in the form `filters set` takes. */
export function formatValue(key: string, value: unknown): string {
  if (key === 'steps') return formatSteps(value as Step[])
  if (Array.isArray(value)) return value.join(',')
  return String(value)
}
