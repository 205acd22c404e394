/**
 * Compiles every enabled string-match rule into ONE matcher:
 * - exact, contains and word rules: two Aho-Corasick automata (case-folded and case-sensitive literals),
 *   word boundaries checked on each occurrence, exact rules looked up in a map by the trimmed message;
 * - regex rules with a required literal: that literal joins the case-folded automaton and the regex runs
 *   only when the literal occurs; regex rules without one: tested as one alternation per chunk of rules
 *   and scope, the members of a matching chunk then tested one by one;
 * - `*` rules: catch-alls, per scope.
 * A message costs one pass per automaton plus the few candidates it hits, whatever the number of rules.
 */
import { AhoCorasick } from './aho-corasick.js'
import { regexProblem, requiredLiterals } from './regex-tools.js'
import { atWordBoundaries, edgeWordness, fold, normalizeText } from './text.js'
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

/** Regex rules tested together (as one alternation) before any of them is tested alone. */
const CHUNK_SIZE = 32

interface LiteralEntry {
  readonly contains: number[]
  readonly word: number[]
  readonly regex: number[]
}

/** Collects literals (deduplicated) and builds their automaton. */
class LiteralSet {
  private readonly byText = new Map<string, LiteralEntry>()
  add(literal: string, kind: keyof LiteralEntry, rule: number): void {
    let entry = this.byText.get(literal)
    if (entry === undefined) {
      entry = { contains: [], word: [], regex: [] }
      this.byText.set(literal, entry)
    }
    entry[kind].push(rule)
  }
  build(): { ac: AhoCorasick; entries: LiteralEntry[]; texts: string[]; edges: { left: boolean; right: boolean }[] } {
    const texts = [...this.byText.keys()]
    return { ac: new AhoCorasick(texts), entries: [...this.byText.values()], texts, edges: texts.map(edgeWordness) }
  }
}

/** Lists per scope: global (entity_id null) and per entity. */
class Scoped<T> {
  readonly global: T[] = []
  readonly byEntity = new Map<string, T[]>()
  of(entityId: string | null): T[] {
    if (entityId === null) return this.global
    let list = this.byEntity.get(entityId)
    if (list === undefined) {
      list = []
      this.byEntity.set(entityId, list)
    }
    return list
  }
  /** The global list, then the entity's (if any). */
  lists(entityId: string | null): T[][] {
    const own = entityId === null ? undefined : this.byEntity.get(entityId)
    return own === undefined ? [this.global] : [this.global, own]
  }
}

interface RegexChunk {
  /** All members as one alternation; undefined when they cannot be combined (each is then tested). */
  readonly combined: RegExp | undefined
  readonly members: readonly number[]
}

function tryRegExp(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source, flags)
  } catch {
    return undefined
  }
}

/** Compiles `rules` (disabled ones are ignored). Invalid rules are skipped and listed in `skipped`. */
export function compileMatcher(rules: readonly StringRule[]): CompiledMatcher {
  const kept: StringRule[] = []
  const skipped: { id: number; reason: string }[] = []
  const folded = new LiteralSet()
  const sensitive = new LiteralSet()
  const exactCs = new Map<string, number[]>()
  const exactCi = new Map<string, number[]>()
  const catchAll = new Scoped<number>()
  const regexes: (RegExp | undefined)[] = []
  const unfiltered = new Scoped<number>()
  const push = (map: Map<string, number[]>, key: string, index: number): void => {
    const list = map.get(key)
    if (list === undefined) map.set(key, [index])
    else list.push(index)
  }

  for (const rule of rules) {
    if (!rule.enabled) continue
    const index = kept.length
    const pattern = normalizeText(String(rule.pattern ?? ''))
    const cs = rule.case_sensitive
    const trimmed = pattern.trim()
    let regex: RegExp | undefined
    if (trimmed === CATCH_ALL) {
      catchAll.of(rule.entity_id).push(index)
    } else if (rule.match_type === 'regex') {
      const problem = regexProblem(pattern, cs)
      regex = problem === undefined ? tryRegExp(pattern, cs ? 'u' : 'iu') : undefined
      if (regex === undefined) {
        skipped.push({ id: rule.id, reason: problem ?? 'invalid regex' })
        continue
      }
      const literals = requiredLiterals(pattern)
      if (literals === undefined) unfiltered.of(rule.entity_id).push(index)
      else for (const literal of new Set(literals)) folded.add(literal, 'regex', index)
    } else if (rule.match_type === 'exact') {
      if (trimmed === '') {
        skipped.push({ id: rule.id, reason: 'empty pattern' })
        continue
      }
      push(cs ? exactCs : exactCi, cs ? trimmed : fold(trimmed), index)
    } else {
      const kind = rule.match_type === 'word' ? 'word' : 'contains'
      const literal = kind === 'word' ? trimmed : pattern
      if (literal === '') {
        skipped.push({ id: rule.id, reason: 'empty pattern' })
        continue
      }
      if (cs) sensitive.add(literal, kind, index)
      else folded.add(fold(literal), kind, index)
    }
    regexes[index] = regex
    kept.push(rule)
  }

  const chunks = new Scoped<RegexChunk>()
  for (const [entity, members] of [[null, unfiltered.global] as const, ...unfiltered.byEntity]) {
    for (const cs of [true, false]) {
      const group = members.filter((i) => kept[i].case_sensitive === cs)
      for (let at = 0; at < group.length; at += CHUNK_SIZE) {
        const slice = group.slice(at, at + CHUNK_SIZE)
        const source = slice.map((i) => `(?:${regexes[i]!.source})`).join('|')
        chunks.of(entity).push({ combined: slice.length > 1 ? tryRegExp(source, cs ? 'u' : 'iu') : undefined, members: slice })
      }
    }
  }
  return new Matcher(kept, skipped, folded.build(), sensitive.build(), exactCs, exactCi, catchAll, regexes, chunks)
}

/** Runs `re` on `text`, returning the match or undefined (also when the engine throws). */
function safeExec(re: RegExp, text: string): string | undefined {
  try {
    return re.exec(text)?.[0]
  } catch {
    return undefined
  }
}

class Matcher implements CompiledMatcher {
  private readonly stamps: Uint32Array
  private readonly candidates: Uint32Array
  private generation = 0

  constructor(
    private readonly rules: readonly StringRule[],
    readonly skipped: readonly { id: number; reason: string }[],
    private readonly folded: ReturnType<LiteralSet['build']>,
    private readonly sensitive: ReturnType<LiteralSet['build']>,
    private readonly exactCs: Map<string, number[]>,
    private readonly exactCi: Map<string, number[]>,
    private readonly catchAll: Scoped<number>,
    private readonly regexes: readonly (RegExp | undefined)[],
    private readonly chunks: Scoped<RegexChunk>,
  ) {
    this.stamps = new Uint32Array(rules.length)
    this.candidates = new Uint32Array(rules.length)
  }

  get size(): number {
    return this.rules.length
  }

  match(message: unknown, entityId?: string | null): MatchHit[] {
    try {
      return this.run(typeof message === 'string' ? message : '', typeof entityId === 'string' ? entityId : null)
    } catch {
      return []
    }
  }

  private run(message: string, entity: string | null): MatchHit[] {
    if (this.rules.length === 0) return []
    if (++this.generation >= 0xffffffff) {
      this.stamps.fill(0)
      this.candidates.fill(0)
      this.generation = 1
    }
    const gen = this.generation
    const { rules, stamps, candidates } = this
    const text = normalizeText(message)
    const hits: MatchHit[] = []
    const inScope = (i: number): boolean => {
      const e = rules[i].entity_id
      return e === null || e === entity
    }
    const take = (i: number, matched: string): void => {
      if (stamps[i] !== gen && inScope(i)) {
        stamps[i] = gen
        hits.push({ rule: rules[i], matched })
      }
    }
    const pending: number[] = []
    const scanWith = (set: ReturnType<LiteralSet['build']>, haystack: string): void => {
      set.ac.scan(haystack, (p, end) => {
        const entry = set.entries[p]
        const start = end - set.texts[p].length
        for (const i of entry.contains) take(i, haystack.slice(start, end))
        for (const i of entry.word) {
          if (stamps[i] !== gen && atWordBoundaries(haystack, start, end, set.edges[p])) take(i, haystack.slice(start, end))
        }
        for (const i of entry.regex) {
          if (candidates[i] !== gen && inScope(i)) {
            candidates[i] = gen
            pending.push(i)
          }
        }
      })
    }
    if (this.folded.ac.size > 0) scanWith(this.folded, fold(text))
    if (this.sensitive.ac.size > 0) scanWith(this.sensitive, text)

    const limited = text.length > REGEX_INPUT_LIMIT ? text.slice(0, REGEX_INPUT_LIMIT) : text
    for (const i of pending) {
      const m = safeExec(this.regexes[i]!, limited)
      if (m !== undefined) take(i, m)
    }
    for (const list of this.chunks.lists(entity)) {
      for (const chunk of list) {
        if (chunk.combined !== undefined && safeExec(chunk.combined, limited) === undefined) continue
        for (const i of chunk.members) {
          const m = safeExec(this.regexes[i]!, limited)
          if (m !== undefined) take(i, m)
        }
      }
    }

    if (this.exactCs.size > 0 || this.exactCi.size > 0) {
      const trimmed = text.trim()
      for (const i of this.exactCs.get(trimmed) ?? []) take(i, trimmed)
      for (const i of this.exactCi.get(fold(trimmed)) ?? []) take(i, trimmed)
    }
    for (const list of this.catchAll.lists(entity)) for (const i of list) take(i, text)

    if (hits.length > 1) hits.sort((a, b) => a.rule.priority - b.rule.priority || a.rule.id - b.rule.id)
    return hits
  }
}
