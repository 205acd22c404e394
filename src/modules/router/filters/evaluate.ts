/**
 * Which filters a message breaks, from the one scan of its text (scan.ts) and the settings in force for its
 * channel. Pure: the router (engine.ts) and the dry-run replay (replay.ts) share it.
 */
import { ROLES } from '../../../contract/events.js'
import { findLinks, isAllowed } from './links.js'
import { emptyStats, maxWordRepeats, type MessageStats, scanText } from './scan.js'
import { FILTER_NAMES, type FilterName, type FilterSettings } from './types.js'

/** The settings of a channel, prepared for the hot path. */
export interface CompiledFilters {
  readonly settings: FilterSettings
  /** Enabled filters, in evaluation order. */
  readonly active: readonly FilterName[]
  /** Per filter: a bit per exempt role (ROLES order). */
  readonly exemptRoles: Readonly<Record<FilterName, number>>
}

const roleBit = (role: string): number => {
  const i = (ROLES as readonly string[]).indexOf(role)
  return i < 0 ? 0 : 1 << i
}

export function compileFilters(settings: FilterSettings): CompiledFilters {
  const exemptRoles = {} as Record<FilterName, number>
  for (const name of FILTER_NAMES) exemptRoles[name] = settings[name].exempt.reduce((m, r) => m | roleBit(r), 0)
  return { settings, active: FILTER_NAMES.filter((n) => settings[n].enabled), exemptRoles }
}

/** Whether the user is a first-time chatter: known yes/no, or `maybe` (to be confirmed by the caller). */
export type FirstTime = 'yes' | 'no' | 'maybe'

/** One message as the filters see it. */
export interface FilterInput {
  readonly text: string
  readonly roles?: readonly string[] | undefined
  readonly labels?: readonly string[] | undefined
  /** Words the platform marked as emotes. */
  readonly emoteNames?: ReadonlySet<string> | undefined
  readonly firstTime: FirstTime
}

/** One broken filter and what broke it. */
export interface FilterHit {
  readonly filter: FilterName
  /** e.g. the link's host, `82% capitals`. */
  readonly detail: string
}

/** Reusable per caller (the scan is synchronous and never re-entered). */
export class FilterScratch {
  readonly stats: MessageStats = emptyStats()
  readonly hosts: string[] = []
  /** The links of the current message were looked for; the first one not allowed (if any). */
  linksDone = false
  foreign: string | undefined = undefined
}

/** The first link of the message that is not on the allow list (looked for once per message). */
function foreignLink(s: FilterSettings, text: string, scratch: FilterScratch): string | undefined {
  if (!scratch.linksDone) {
    scratch.linksDone = true
    scratch.hosts.length = 0
    scratch.foreign = undefined
    if (scratch.stats.linkish) findLinks(text, scratch.hosts)
    for (const h of scratch.hosts) {
      if (!isAllowed(h, s.links.allow)) {
        scratch.foreign = h
        break
      }
    }
  }
  return scratch.foreign
}

function exempt(
  c: CompiledFilters,
  name: FilterName,
  roleMask: number,
  labels: readonly string[] | undefined,
): boolean {
  if ((c.exemptRoles[name] & roleMask) !== 0) return true
  const wanted = c.settings[name].exempt_labels
  return wanted.length > 0 && labels !== undefined && labels.some((l) => wanted.includes(l))
}

/**
 * The filters `input` breaks, in evaluation order (`all` false: only the first). Empty when none.
 * A `first-chatter` hit with `firstTime: 'maybe'` is tentative: the caller confirms it, else skips it.
 */
export function evaluate(
  c: CompiledFilters,
  input: FilterInput,
  scratch: FilterScratch,
  all = false,
): readonly FilterHit[] {
  if (c.active.length === 0) return NONE
  let roleMask = 0
  if (input.roles) for (const r of input.roles) roleMask |= roleBit(r)
  scanText(input.text, input.emoteNames, scratch.stats)
  scratch.linksDone = false
  let hits: FilterHit[] | undefined
  for (const name of c.active) {
    if (roleMask !== 0 || input.labels !== undefined) if (exempt(c, name, roleMask, input.labels)) continue
    const detail = breaks(name, c.settings, scratch, input)
    if (detail === undefined) continue
    hits ??= []
    hits.push({ filter: name, detail })
    if (!all) break
  }
  return hits ?? NONE
}

/** The answer for a clean message (shared: never mutated). */
const NONE: readonly FilterHit[] = []

const pct = (part: number, whole: number): number => Math.round((part / whole) * 100)

/** Why `name` is broken, or undefined. */
function breaks(name: FilterName, s: FilterSettings, scratch: FilterScratch, input: FilterInput): string | undefined {
  const st = scratch.stats
  switch (name) {
    case 'first-chatter':
      return input.firstTime !== 'no' ? foreignLink(s, input.text, scratch) : undefined
    case 'links':
      return foreignLink(s, input.text, scratch)
    case 'zalgo':
      return st.maxMarks > s.zalgo.max_marks ? `${st.maxMarks} stacked marks` : undefined
    case 'length':
      return st.length > s.length.max ? `${st.length} characters` : undefined
    case 'repetition': {
      if (st.maxRun > s.repetition.max_char_run) return `a character ${st.maxRun} times in a row`
      if (st.wordRepeats <= s.repetition.max_word_repeats && st.words < 128) return undefined
      const n = maxWordRepeats(input.text)
      return n > s.repetition.max_word_repeats ? `a word ${n} times` : undefined
    }
    case 'caps': {
      const letters = st.upper + st.lower
      return letters >= s.caps.min_length && pct(st.upper, letters) >= s.caps.percent
        ? `${pct(st.upper, letters)}% capitals`
        : undefined
    }
    case 'symbols':
      return st.visible >= s.symbols.min_length && pct(st.symbols, st.visible) >= s.symbols.percent
        ? `${pct(st.symbols, st.visible)}% symbols`
        : undefined
    case 'emotes':
      return st.emotes > s.emotes.max ? `${st.emotes} emotes` : undefined
  }
}
