/**
 * Spam-filter benchmark: nanoseconds per message of the filters with every filter on (defaults), beside the
 * string matcher alone with 100 realistic rules, over the same 5,000 generated chat messages (matcher.bench.ts).
 * Target: matcher + filters ≤ 2 × the matcher alone, i.e. the filters cost no more than the matcher.
 * Run alone: `node --import tsx bench/filters.bench.ts [--quick]` prints the result as JSON.
 */
import { pathToFileURL } from 'node:url'
import { compileMatcher } from '../src/modules/router/matcher/compile.js'
import { compileFilters, evaluate, FilterScratch } from '../src/modules/router/filters/evaluate.js'
import { resolveSettings } from '../src/modules/router/filters/settings.js'
import { FILTER_NAMES } from '../src/modules/router/filters/types.js'
import { realisticMessages, realisticRules } from './matcher.bench.js'

export interface FiltersBenchResult {
  filters_ns_per_message: number
  matcher_ns_per_message: number
  /** (matcher + filters) ÷ matcher alone. */
  filters_with_matcher_ratio: number
  hits: number
}

export async function benchFilters(opts: { quick: boolean }): Promise<FiltersBenchResult> {
  const passes = opts.quick ? 6 : 30
  const rules = realisticRules(100)
  const banned = rules.filter((r) => r.match_type !== 'regex').map((r) => r.pattern.split(' ').pop()!)
  const messages = realisticMessages(5_000, banned)
  const matcher = compileMatcher(rules)
  const filters = compileFilters(resolveSettings(Object.fromEntries(FILTER_NAMES.map((n) => [n, { enabled: true }]))))
  const scratch = new FilterScratch()
  let hits = 0
  const timeMatcher = (): number => {
    const start = process.hrtime.bigint()
    for (const m of messages) hits += matcher.match(m.text, m.entity).length
    return Number(process.hrtime.bigint() - start) / messages.length
  }
  const timeFilters = (): number => {
    const start = process.hrtime.bigint()
    // `maybe`: the first-chatter rule is evaluated too (the router's worst case).
    for (const m of messages) hits += evaluate(filters, { text: m.text, firstTime: 'maybe' }, scratch, true).length
    return Number(process.hrtime.bigint() - start) / messages.length
  }
  timeMatcher()
  timeFilters()
  let nsMatcher = Number.POSITIVE_INFINITY
  let nsFilters = Number.POSITIVE_INFINITY
  for (let i = 0; i < passes; i++) {
    nsMatcher = Math.min(nsMatcher, timeMatcher())
    nsFilters = Math.min(nsFilters, timeFilters())
    await new Promise((resolve) => setImmediate(resolve))
  }
  return {
    filters_ns_per_message: Math.round(nsFilters),
    matcher_ns_per_message: Math.round(nsMatcher),
    filters_with_matcher_ratio: Math.round(((nsMatcher + nsFilters) / nsMatcher) * 100) / 100,
    hits,
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchFilters({ quick: process.argv.includes('--quick') })))
}
