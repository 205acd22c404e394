/**
 * Spam filters: their names, settings and defaults. Settings are stored per community and, optionally, per
 * channel (entity); a channel's values override its community's, which override these defaults, key by key.
 */
import { ROLES, type Role } from '../../../contract/events.js'

/** Every filter, in the order they are evaluated (the first hit decides what happens to a message). */
export const FILTER_NAMES = [
  'first-chatter',
  'links',
  'zalgo',
  'length',
  'repetition',
  'caps',
  'symbols',
  'emotes',
] as const
export type FilterName = (typeof FILTER_NAMES)[number]

/** What a filter hit does; `escalate` walks `steps` by the user's strikes within `window` seconds. */
export const FILTER_ACTIONS = ['warn', 'delete', 'timeout', 'ban', 'escalate'] as const
export type FilterAction = (typeof FILTER_ACTIONS)[number]

/** One escalation step. */
export interface Step {
  readonly action: 'warn' | 'delete' | 'timeout' | 'ban'
  /** timeout only, seconds */
  readonly duration?: number
}

/** Settings every filter has. */
export interface CommonSettings {
  readonly enabled: boolean
  readonly action: FilterAction
  /** `timeout` action: seconds. */
  readonly duration: number
  /** `escalate` action: the steps, weakest first; the last one repeats. */
  readonly steps: readonly Step[]
  /** `escalate` action: strikes older than this many seconds are forgotten. */
  readonly window: number
  /** Also delete the offending message on a warn or timeout. */
  readonly delete: boolean
  /** The warning / audit-log line; `{user}`, `{display_name}` are filled in. */
  readonly reason: string
  /** Users holding any of these roles pass. */
  readonly exempt: readonly Role[]
  /** Users carrying any of these labels (event `metadata.labels`) pass. */
  readonly exempt_labels: readonly string[]
}

/** The settings of every filter: common ones plus each filter's thresholds. */
export interface FilterSettings {
  readonly 'first-chatter': CommonSettings
  readonly links: CommonSettings & { readonly allow: readonly string[]; readonly permit_seconds: number }
  readonly zalgo: CommonSettings & { readonly max_marks: number }
  readonly length: CommonSettings & { readonly max: number }
  readonly repetition: CommonSettings & { readonly max_char_run: number; readonly max_word_repeats: number }
  readonly caps: CommonSettings & { readonly min_length: number; readonly percent: number }
  readonly symbols: CommonSettings & { readonly min_length: number; readonly percent: number }
  readonly emotes: CommonSettings & { readonly max: number }
}

const COMMON = {
  enabled: false,
  action: 'escalate',
  duration: 600,
  steps: [{ action: 'warn' }, { action: 'timeout', duration: 60 }, { action: 'timeout', duration: 600 }],
  window: 900,
  delete: true,
  exempt: ['broadcaster', 'owner', 'admin', 'moderator'],
  exempt_labels: [],
} as const satisfies Omit<CommonSettings, 'reason'>

/** Defaults: every filter off; when on, warn → 60 s timeout → 10 min timeout within 15 min. */
export const DEFAULT_FILTER_SETTINGS: FilterSettings = {
  'first-chatter': { ...COMMON, action: 'delete', reason: 'welcome! Links are held until you have chatted a little.' },
  links: { ...COMMON, reason: 'no links, please (a moderator can !permit you).', allow: [], permit_seconds: 60 },
  zalgo: { ...COMMON, reason: 'please don’t post zalgo text.', max_marks: 3 },
  length: { ...COMMON, reason: 'that message is too long.', max: 400 },
  repetition: { ...COMMON, reason: 'please don’t repeat yourself.', max_char_run: 15, max_word_repeats: 6 },
  caps: { ...COMMON, reason: 'please don’t shout (too many capitals).', min_length: 15, percent: 70 },
  symbols: { ...COMMON, reason: 'too many symbols.', min_length: 15, percent: 50 },
  emotes: { ...COMMON, reason: 'too many emotes.', max: 10 },
}

/** The keys `filters set` accepts for a filter. */
export function keysOf(filter: FilterName): string[] {
  return Object.keys(DEFAULT_FILTER_SETTINGS[filter])
}

export const isFilterName = (name: string): name is FilterName => (FILTER_NAMES as readonly string[]).includes(name)
export const isRole = (name: string): name is Role => (ROLES as readonly string[]).includes(name)
