/**
 * Compiles every enabled string-match rule into ONE matcher:
 * - contains and word rules, and a required literal of each regex rule, go into one Aho-Corasick automaton
 *   over case-folded text (literals.ts); word boundaries are checked on each occurrence, case-sensitive
 *   literals verified against the original text, and a regex runs only when its literal occurs;
 * - regex rules without such a literal: deduplicated and tested as alternations per chunk (regex-set.ts);
 * - exact rules: looked up in a map by the trimmed (and, unless case-sensitive, folded) message;
 * - `*` rules: catch-alls, per scope.
 * A message costs one pass over its text plus the few candidates it hits, whatever the number of rules.
 */
import { type LiteralIndex, LiteralIndexBuilder, type LiteralTable } from './literals.js'
import { concerns, type RegexChunk, RegexSetBuilder } from './regex-set.js'
import { compileLinear, type LinearRegex } from './linear-regex.js'
import { caseMatters, requiredLiterals } from './regex-tools.js'
import { atWordBoundaries, fold, highestCodeUnit, normalizeText } from './text.js'
import { CATCH_ALL, type MatchHit, REGEX_INPUT_LIMIT, type StringRule } from './types.js'

/** The compiled form of a rule set. `match` never throws. */
export interface CompiledMatcher {
  /** Rules compiled (enabled and valid). */
  readonly size: number
  /** Enabled rules left out because they cannot be compiled (e.g. an invalid regex written straight to the table). */
  readonly skipped: readonly { readonly id: number; readonly reason: string }[]
  /**
   * The rules matching `message` that apply to `entityId` (global rules plus that entity's), sorted by
   * priority then id. Any input is accepted: a non-string message is treated as empty.
   */
  match(message: unknown, entityId?: string | null): MatchHit[]
}

/** Exact rules by key, and catch-alls by scope. */
interface Lookups {
  readonly exactCs: Map<string, number[]>
  readonly exactCi: Map<string, number[]>
  readonly catchAllGlobal: number[]
  readonly catchAllByEntity: Map<string, number[]>
}

function push<K>(map: Map<K, number[]>, key: K, index: number): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [index])
  else list.push(index)
}

/** Sorts rules into the matcher's structures one at a time; `build()` freezes them. */
class MatcherBuilder {
  private readonly kept: StringRule[] = []
  private readonly skipped: { id: number; reason: string }[] = []
  private readonly literals = new LiteralIndexBuilder()
  private readonly unfiltered = new RegexSetBuilder()
  private readonly lookups: Lookups = {
    exactCs: new Map(),
    exactCi: new Map(),
    catchAllGlobal: [],
    catchAllByEntity: new Map(),
  }
  private readonly regexes: (LinearRegex | undefined)[] = []

  add(rule: StringRule): void {
    if (!rule.enabled) return
    const index = this.kept.length
    const pattern = normalizeText(String(rule.pattern ?? ''))
    const cs = rule.case_sensitive
    const trimmed = pattern.trim()
    if (rule.match_type === 'contains' ? pattern === '' : trimmed === '') {
      this.skipped.push({ id: rule.id, reason: 'empty pattern' })
      return
    }
    const { lookups, literals } = this
    if (trimmed === CATCH_ALL) {
      if (rule.entity_id === null) lookups.catchAllGlobal.push(index)
      else push(lookups.catchAllByEntity, rule.entity_id, index)
    } else if (rule.match_type === 'regex') {
      const re = compileLinear(pattern, !cs && caseMatters(pattern))
      if (typeof re === 'string') {
        this.skipped.push({ id: rule.id, reason: re })
        return
      }
      this.regexes[index] = re
      const required = requiredLiterals(pattern)
      if (required === undefined) this.unfiltered.add(re, index, rule.entity_id)
      else for (const literal of new Set(required)) literals.addRegexLiteral(literal, index)
    } else if (rule.match_type === 'exact') {
      if (cs) push(lookups.exactCs, trimmed, index)
      else push(lookups.exactCi, fold(trimmed), index)
    } else {
      const kind = rule.match_type === 'word' ? 'word' : 'contains'
      const literal = kind === 'word' ? trimmed : pattern
      if (cs) literals.addSensitive(literal, kind, index)
      else literals.addFolded(literal, kind, index)
    }
    this.kept.push(rule)
  }

  build(): CompiledMatcher {
    return new Matcher(
      this.kept,
      this.skipped,
      this.literals.build(),
      this.unfiltered.build(),
      this.regexes,
      this.lookups,
    )
  }
}

/** Compiles `rules` (disabled ones are ignored). Invalid rules are skipped and listed in `skipped`. */
export function compileMatcher(rules: readonly StringRule[]): CompiledMatcher {
  const builder = new MatcherBuilder()
  for (const rule of rules) builder.add(rule)
  return builder.build()
}

/**
 * {@link compileMatcher} in slices of `slice` rules (default 250), yielding to the event loop between
 * them, so that compiling a large rule set never holds up the messages being matched meanwhile.
 */
export async function compileMatcherAsync(rules: readonly StringRule[], slice = 250): Promise<CompiledMatcher> {
  const builder = new MatcherBuilder()
  for (let at = 0; at < rules.length; at += slice) {
    if (at > 0) await new Promise((resolve) => setImmediate(resolve))
    for (let i = at; i < Math.min(at + slice, rules.length); i++) builder.add(rules[i])
  }
  await new Promise((resolve) => setImmediate(resolve))
  return builder.build()
}

/** Runs `re` on `text`, returning the match or undefined (also when the engine throws). */
function safeExec(re: LinearRegex, text: string): string | undefined {
  try {
    return re.find(text)
  } catch {
    return undefined
  }
}

function safeTest(re: LinearRegex, text: string): boolean {
  try {
    return re.test(text)
  } catch {
    return false
  }
}

class Matcher implements CompiledMatcher {
  /** `stamps[i] === generation`: rule i already hit this message; `queued[i]`: regex i already queued. */
  private readonly stamps: Uint32Array
  private readonly queued: Uint32Array
  private generation = 0
  // Per-call state and scratch buffers (match is synchronous and never re-entered).
  private readonly patternBuf: number[] = []
  private readonly endBuf: number[] = []
  private readonly pending: number[] = []
  private hits: MatchHit[] = []
  private entity: string | null = null

  constructor(
    private readonly rules: readonly StringRule[],
    readonly skipped: readonly { id: number; reason: string }[],
    private readonly literals: LiteralIndex,
    private readonly chunks: readonly RegexChunk[],
    private readonly regexes: readonly (LinearRegex | undefined)[],
    private readonly lookups: Lookups,
  ) {
    this.stamps = new Uint32Array(rules.length)
    this.queued = new Uint32Array(rules.length)
  }

  get size(): number {
    return this.rules.length
  }

  match(message: unknown, entityId?: string | null): MatchHit[] {
    try {
      return this.run(typeof message === 'string' ? message : '', typeof entityId === 'string' ? entityId : null)
    } catch {
      return []
    } finally {
      this.hits = []
      this.pending.length = 0
    }
  }

  private take(i: number, matched: string): void {
    if (this.stamps[i] === this.generation) return
    const e = this.rules[i].entity_id
    if (e !== null && e !== this.entity) return
    this.stamps[i] = this.generation
    this.hits.push({ rule: this.rules[i], matched })
  }

  /**
   * Scans `haystack` with `table`. `original` (same length as the haystack) is where case-sensitive entries
   * are verified; undefined skips them.
   */
  private scanTable(table: LiteralTable, haystack: string, original: string | undefined): void {
    const { patternBuf, endBuf, stamps, queued, generation } = this
    const count = table.ac.scan(haystack, patternBuf, endBuf)
    for (let k = 0; k < count; k++) {
      const p = patternBuf[k]
      const end = endBuf[k]
      const start = end - table.lengths[p]
      const entry = table.entries[p]
      for (const i of entry.contains) this.take(i, haystack.slice(start, end))
      for (const i of entry.word) {
        if (stamps[i] !== generation && atWordBoundaries(haystack, start, end, table.edges[p]))
          this.take(i, haystack.slice(start, end))
      }
      for (const i of entry.regex) {
        if (queued[i] !== generation) {
          queued[i] = generation
          this.pending.push(i)
        }
      }
      if (original === undefined) continue
      for (const i of entry.csContains) {
        if (original.startsWith(this.literals.csLiteral[i], start)) this.take(i, original.slice(start, end))
      }
      for (const i of entry.csWord) {
        if (
          stamps[i] !== generation &&
          original.startsWith(this.literals.csLiteral[i], start) &&
          atWordBoundaries(original, start, end, table.edges[p])
        ) {
          this.take(i, original.slice(start, end))
        }
      }
    }
  }

  private exec(i: number, text: string): void {
    const e = this.rules[i].entity_id
    if (this.stamps[i] === this.generation || (e !== null && e !== this.entity)) return
    const m = safeExec(this.regexes[i]!, text)
    if (m !== undefined) this.take(i, m)
  }

  private run(message: string, entity: string | null): MatchHit[] {
    if (this.rules.length === 0) return []
    if (++this.generation >= 0xffffffff) {
      this.stamps.fill(0)
      this.queued.fill(0)
      this.generation = 1
    }
    this.entity = entity
    const high = highestCodeUnit(message)
    const text = normalizeText(message, high)
    if (!this.literals.empty) {
      const folded = fold(text, high)
      const aligned = folded.length === text.length
      this.scanTable(this.literals.folded, folded, aligned ? text : undefined)
      const sensitive = aligned ? undefined : this.literals.sensitiveTable()
      if (sensitive !== undefined) this.scanTable(sensitive, text, undefined)
    }

    const limited = text.length > REGEX_INPUT_LIMIT ? text.slice(0, REGEX_INPUT_LIMIT) : text
    for (const i of this.pending) this.exec(i, limited)
    for (const chunk of this.chunks) {
      if (!concerns(chunk, entity)) continue
      if (chunk.combined !== undefined && !safeTest(chunk.combined, limited)) continue
      for (const group of chunk.groups) {
        if (!concerns(group, entity)) continue
        const m = safeExec(group.re, limited)
        if (m !== undefined) for (const i of group.rules) this.take(i, m)
      }
    }

    const { exactCs, exactCi, catchAllGlobal, catchAllByEntity } = this.lookups
    if (exactCs.size > 0 || exactCi.size > 0) {
      const trimmed = text.trim()
      for (const i of exactCs.get(trimmed) ?? []) this.take(i, trimmed)
      for (const i of exactCi.get(fold(trimmed, high)) ?? []) this.take(i, trimmed)
    }
    for (const i of catchAllGlobal) this.take(i, text)
    if (entity !== null) for (const i of catchAllByEntity.get(entity) ?? []) this.take(i, text)

    const hits = this.hits
    if (hits.length > 1) hits.sort((a, b) => a.rule.priority - b.rule.priority || a.rule.id - b.rule.id)
    return hits
  }
}
