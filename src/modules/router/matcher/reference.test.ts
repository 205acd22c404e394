/**
 * Property tests: the Aho-Corasick automaton against a naive search, and the compiled matcher against a
 * naive rule-by-rule reference of the documented semantics, on random rules and messages drawn from a
 * small alphabet (so that hits, overlaps and boundary cases are frequent).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AhoCorasick } from './aho-corasick.js'
import { compileMatcher } from './compile.js'
import { RE2JS } from 're2js'
import { regexProblem } from './regex-tools.js'
import { prng } from './test-helpers.js'
import { fold } from './text.js'
import { CATCH_ALL, REGEX_INPUT_LIMIT, type StringRule } from './types.js'

const ALPHABET = [
  'a',
  'b',
  'A',
  'B',
  ' ',
  '.',
  '_',
  '1',
  'é',
  'e\u0301',
  'ß',
  'ſ',
  'S',
  'İ',
  'i',
  'Σ',
  'σ',
  'ς',
  '😀',
  'я',
  'Я',
  '-',
  '\n',
]

function randomText(rand: () => number, max: number): string {
  let s = ''
  const n = Math.floor(rand() * max)
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)]
  return s
}

describe('AhoCorasick', () => {
  test('finds exactly the occurrences a naive search finds (2,000 random texts)', () => {
    const rand = prng(1)
    for (let round = 0; round < 40; round++) {
      const patterns = [
        ...new Set(
          Array.from({ length: 1 + Math.floor(rand() * 30) }, () => randomText(rand, 5)).filter((p) => p !== ''),
        ),
      ]
      const ac = new AhoCorasick(patterns)
      const p: number[] = []
      const e: number[] = []
      for (let t = 0; t < 50; t++) {
        const text = randomText(rand, 60)
        ac.scan(text, p, e)
        const got = p.map((pi, k) => `${pi}@${e[k]}`).sort()
        const want: string[] = []
        patterns.forEach((pat, pi) => {
          for (let at = text.indexOf(pat); at !== -1; at = text.indexOf(pat, at + 1))
            want.push(`${pi}@${at + pat.length}`)
        })
        assert.deepEqual(got, want.sort(), `patterns ${JSON.stringify(patterns)} text ${JSON.stringify(text)}`)
      }
    }
  })

  test('scales past the dense rows: 20,000 patterns', () => {
    const patterns = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}x`)
    const ac = new AhoCorasick(patterns)
    const p: number[] = []
    const last = `w${(19_999).toString(36)}x`
    assert.equal(ac.scan(`say ${last} and w0x and w1x and wzzzx!`, p, []), 3)
    assert.deepEqual(
      p.map((i) => patterns[i]),
      [last, 'w0x', 'w1x'],
    )
  })
})

const WORD = /[\p{L}\p{N}\p{M}_]/u
const isWord = (ch: string | undefined): boolean => ch !== undefined && WORD.test(ch)

/** The documented semantics, rule by rule, written without the compiler's machinery. */
function reference(rules: readonly StringRule[], message: string, entity: string | null): number[] {
  const text = message.normalize('NFC')
  const out: StringRule[] = []
  for (const r of rules) {
    if (!r.enabled || (r.entity_id !== null && r.entity_id !== entity)) continue
    const pattern = r.pattern.normalize('NFC')
    // Blank patterns are refused when saved and skipped when compiled.
    if (r.match_type === 'contains' ? pattern === '' : pattern.trim() === '') continue
    const norm = (s: string): string => (r.case_sensitive ? s : fold(s))
    let hit = false
    if (pattern.trim() === CATCH_ALL) hit = true
    else if (r.match_type === 'exact') hit = norm(text.trim()) === norm(pattern.trim())
    else if (r.match_type === 'contains') hit = norm(text).includes(norm(pattern))
    else if (r.match_type === 'word') {
      const hay = norm(text)
      const needle = norm(pattern.trim())
      const chars = [...needle]
      for (let at = hay.indexOf(needle); at !== -1 && !hit; at = hay.indexOf(needle, at + 1)) {
        const before = [...hay.slice(0, at)].pop()
        const after = [...hay.slice(at + needle.length)][0]
        hit = !(isWord(chars[0]) && isWord(before)) && !(isWord(chars[chars.length - 1]) && isWord(after))
      }
    } else if (regexProblem(pattern, r.case_sensitive) === undefined) {
      // The engine's own semantics (RE2: ASCII \b and \w even under `i`), without the matcher's prefilter and chunks.
      const flags = (r.case_sensitive ? 0 : RE2JS.CASE_INSENSITIVE) | RE2JS.LOOKBEHINDS
      hit = RE2JS.compile(RE2JS.translateRegExp(pattern), flags).test(text.slice(0, REGEX_INPUT_LIMIT))
    }
    if (hit) out.push(r)
  }
  return out.sort((a, b) => a.priority - b.priority || a.id - b.id).map((r) => r.id)
}

const REGEX_SHAPES = [
  'X',
  'X+Y',
  '[XY]{2}',
  '(?:X|Y)Z',
  '^X',
  'X$',
  'X\\s*Y',
  '\\d+',
  '[A-Z]{2,}',
  'X.?Y',
  '\\bX',
  '\\p{Lu}',
]

function randomRules(rand: () => number, count: number): StringRule[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]
  return Array.from({ length: count }, (_, i) => {
    const type = pick(['exact', 'contains', 'word', 'regex'] as const)
    let pattern = randomText(rand, 4) || 'a'
    if (type === 'regex') {
      const lit = (): string => pick(['a', 'b', 'ab', 'ba', 'é', 'ß', 'σ', 'я', '1', 'aa'])
      pattern = pick(REGEX_SHAPES).replace(/[XYZ]/g, lit)
    }
    if (rand() < 0.02) pattern = CATCH_ALL
    return {
      id: i + 1,
      pattern,
      match_type: type,
      case_sensitive: rand() < 0.4,
      priority: Math.floor(rand() * 5),
      entity_id: rand() < 0.3 ? pick(['e1', 'e2']) : null,
      action: 'warn',
      action_value: null,
      timeout_seconds: null,
      enabled: rand() < 0.95,
      created_by: null,
      created_at: 0,
      updated_at: 0,
      match_count: 0,
    }
  })
}

describe('compiled matcher vs the naive reference', () => {
  for (const seed of [11, 12, 13, 14, 15]) {
    test(`seed ${seed}: 300 rules, 1,000 messages, same hits in the same order`, () => {
      const rand = prng(seed)
      const rules = randomRules(rand, 300)
      const matcher = compileMatcher(rules)
      let hits = 0
      for (let i = 0; i < 1000; i++) {
        const message = randomText(rand, 30)
        const entity = [null, 'e1', 'e2', 'e3'][i % 4]
        const got = matcher.match(message, entity).map((h) => h.rule.id)
        assert.deepEqual(got, reference(rules, message, entity), `message ${JSON.stringify(message)} entity ${entity}`)
        hits += got.length
      }
      assert.ok(hits > 1000, `the random rules hit often enough to mean something (${hits})`)
    })
  }
})
