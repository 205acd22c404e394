/**
 * The filters' part of `waddlebot moderation test`: replays a chat log against the settings in force and
 * counts, per filter, the lines it would act on (every filter that a line breaks, not only the first).
 * A speaker's first line counts as a first message. Nothing is sent; permits and strikes do not apply.
 */
import type { ChatLine } from '../matcher/chat-log.js'
import { type CompiledFilters, compileFilters, evaluate, FilterScratch } from './evaluate.js'
import { resolveSettings } from './settings.js'
import { FILTER_NAMES, type FilterName, type FilterSettings } from './types.js'

/** Hits of one filter over a replay. */
export interface FilterReplay {
  readonly filter: FilterName
  readonly enabled: boolean
  readonly hits: number
}

export interface FilterReplayReport {
  readonly lines_with_filter_hits: number
  readonly filters: FilterReplay[]
}

/** `settings` with every filter switched on (`moderation test --all-filters`). */
export function everyFilterOn(settings: FilterSettings): CompiledFilters {
  const on = Object.fromEntries(FILTER_NAMES.map((n) => [n, { ...settings[n], enabled: true }]))
  return compileFilters(resolveSettings(on))
}

export function replayFilters(compiled: CompiledFilters, lines: readonly ChatLine[]): FilterReplayReport {
  const counts = new Map<FilterName, number>()
  const seen = new Set<string>()
  const scratch = new FilterScratch()
  let withHits = 0
  for (const line of lines) {
    const firstTime = line.user !== undefined && !seen.has(line.user) ? 'yes' : 'no'
    if (line.user !== undefined) seen.add(line.user)
    const hits = evaluate(compiled, { text: line.message, firstTime }, scratch, true)
    if (hits.length > 0) withHits++
    for (const h of hits) counts.set(h.filter, (counts.get(h.filter) ?? 0) + 1)
  }
  return {
    lines_with_filter_hits: withHits,
    filters: FILTER_NAMES.map((filter) => ({
      filter,
      enabled: compiled.settings[filter].enabled,
      hits: counts.get(filter) ?? 0,
    })),
  }
}
