/**
 * Issue 12: the regex guard cannot be bypassed. The adversarial set of bench/regex-adversarial.ts runs here
 * for correctness and bounds (no timing is asserted; `npm run bench` reports the per-message times).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { adversarialMessages, adversarialPatterns, ORDINARY_PATTERNS } from '../../../../bench/regex-adversarial.js'
import { compileMatcher } from './compile.js'
import { compileLinear, MAX_PROGRAM_SIZE } from './linear-regex.js'
import { regexProblem } from './regex-tools.js'
import type { StringRule } from './types.js'

const rule = (id: number, pattern: string): StringRule => ({
  id,
  pattern,
  match_type: 'regex',
  case_sensitive: false,
  action: 'warn',
  action_value: null,
  timeout_seconds: null,
  priority: 100,
  entity_id: null,
  enabled: true,
  created_by: null,
  created_at: 0,
  updated_at: 0,
  match_count: 0,
})

describe('adversarial regexes on the linear-time engine', () => {
  test('the three regexes of the probe are accepted and answer like JavaScript would', () => {
    const message = 'a'.repeat(2000)
    for (const p of ['\\w*\\w*\\W', '\\S*\\S*\\s', '[\\s\\S]*[\\s\\S]*\\d']) {
      assert.equal(regexProblem(p, false), undefined, p)
      assert.equal(compileMatcher([rule(1, p)]).match(message).length, 0, p)
      assert.equal(compileMatcher([rule(1, p)]).match(`${message.slice(0, 1990)} 1`).length, 1, p)
    }
  })

  test('ordinary patterns are accepted', () => {
    for (const p of ORDINARY_PATTERNS) assert.equal(regexProblem(p, false), undefined, p)
  })

  test('1,000 adversarial regexes: each accepted one is bounded and matches the same as JavaScript on 2,000 characters', () => {
    const patterns = adversarialPatterns(1000)
    assert.equal(patterns.length, 1000)
    const messages = adversarialMessages()
    let accepted = 0
    for (const [i, p] of patterns.entries()) {
      const compiled = compileLinear(p, true)
      if (typeof compiled === 'string') {
        assert.match(compiled, /too large|not supported/, p)
        continue
      }
      accepted++
      assert.ok(compiled.size <= MAX_PROGRAM_SIZE)
      // Spot-check semantics against V8 on short inputs only (V8 is the one that backtracks).
      if (i % 50 === 0)
        for (const m of ['ab 1!', 'xx@y', 'aaa'])
          assert.equal(compiled.test(m), new RegExp(p, 'iu').test(m), `${p} on ${m}`)
      const matcher = compileMatcher([rule(1, p)])
      for (const m of messages) matcher.match(m)
    }
    assert.ok(accepted >= 900, `${accepted} accepted`)
  })
})
