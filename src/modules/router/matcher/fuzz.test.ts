/**
 * Fuzz: 100,000 random messages (random Unicode, lone surrogates, emoji, long strings, regex metacharacters,
 * command prefixes) through parseCommand and a matcher of 1,000 random rules. Nothing may throw, and every
 * answer must keep the matcher's invariants (in scope, sorted, each rule once).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseCommand } from '../parse.js'
import { compileMatcher } from './compile.js'
import { prng } from './test-helpers.js'
import { MATCH_TYPES, type StringRule } from './types.js'

const META = '.*+?^$()[]{}|\\/-'
const SAMPLES = [
  '!',
  '#',
  ' ',
  '\t',
  '\n',
  '"',
  "'",
  '“',
  '😀',
  '👍🏽',
  '\u200b',
  '\u202e',
  'e\u0301',
  'İ',
  'ß',
  'ſ',
  'ς',
  'Σ',
  '日本',
  'مرحبا',
  '\ud800',
  '\udc00',
  '\u0000',
  '\uffff',
]

function randomString(rand: () => number, maxLength: number): string {
  const n = Math.floor(rand() * maxLength)
  let s = ''
  while (s.length < n) {
    const r = rand()
    if (r < 0.3) s += String.fromCharCode(97 + Math.floor(rand() * 26))
    else if (r < 0.45) s += META[Math.floor(rand() * META.length)]
    else if (r < 0.65) s += SAMPLES[Math.floor(rand() * SAMPLES.length)]
    else if (r < 0.8)
      s += String.fromCodePoint(Math.floor(rand() * 0x10ffff) & ~0x800) // any plane, no surrogate range
    else if (r < 0.9)
      s += String.fromCharCode(Math.floor(rand() * 0x10000)) // any code unit, lone surrogates included
    else s += ' '
  }
  return s
}

const VALID_REGEXES = [
  '\\bX\\b',
  'X\\s+Y',
  '^X',
  'X$',
  '[XY]{2,5}',
  '(?:X|Y)Z',
  '\\p{L}{3}X',
  'X.{0,20}Y',
  '\\d{2,}',
  '[^X]{4}',
]

function randomRules(rand: () => number, count: number): StringRule[] {
  return Array.from({ length: count }, (_, i) => {
    const type = MATCH_TYPES[Math.floor(rand() * MATCH_TYPES.length)]
    let pattern = randomString(rand, 8) || 'x'
    if (type === 'regex' && rand() < 0.5) {
      pattern = VALID_REGEXES[Math.floor(rand() * VALID_REGEXES.length)].replace(/[XYZ]/g, () =>
        String.fromCharCode(97 + Math.floor(rand() * 26)),
      )
    }
    if (rand() < 0.005) pattern = '*'
    return {
      id: i + 1,
      pattern,
      match_type: type,
      case_sensitive: rand() < 0.3,
      priority: Math.floor(rand() * 1000) - 500,
      entity_id: rand() < 0.5 ? null : `e${Math.floor(rand() * 10)}`,
      action: 'warn',
      action_value: null,
      timeout_seconds: null,
      enabled: rand() < 0.9,
      created_by: null,
      created_at: 0,
      updated_at: 0,
      match_count: 0,
    }
  })
}

test('100,000 random messages through parseCommand and 1,000 random rules: no throw, invariants hold', () => {
  const rand = prng(2024)
  const rules = randomRules(rand, 1000)
  const matcher = compileMatcher(rules)
  assert.ok(matcher.size > 500, `most random rules compile (${matcher.size}, skipped ${matcher.skipped.length})`)
  let commands = 0
  let hits = 0
  for (let i = 0; i < 100_000; i++) {
    const r = rand()
    let message = randomString(rand, r < 0.01 ? 10_000 : 80)
    if (r > 0.8) message = (rand() < 0.5 ? '!' : '#') + message
    const entity = rand() < 0.2 ? null : `e${Math.floor(rand() * 12)}`

    const parsed = parseCommand(message)
    if (parsed) {
      commands++
      assert.equal(parsed.name, parsed.name.toLowerCase())
      assert.ok(Array.isArray(parsed.args))
    }

    const found = matcher.match(message, entity)
    hits += found.length
    const seen = new Set<number>()
    for (let k = 0; k < found.length; k++) {
      const { rule } = found[k]
      assert.ok(rule.entity_id === null || rule.entity_id === entity, 'in scope')
      assert.ok(!seen.has(rule.id), 'each rule once')
      seen.add(rule.id)
      if (k > 0) {
        const prev = found[k - 1].rule
        assert.ok(prev.priority < rule.priority || (prev.priority === rule.priority && prev.id < rule.id), 'sorted')
      }
    }
  }
  assert.ok(commands > 1000, `some messages were commands (${commands})`)
  assert.ok(hits > 1000, `some messages hit rules (${hits})`)
})
