import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { caseMatters, regexProblem, requiredLiterals } from './regex-tools.js'

describe('regexProblem', () => {
  const accepted = [
    'free\\s+v-?bucks',
    '^!?discord$',
    '(?:foo|bar)+',
    '(?:https?://)?bit\\.ly/\\w+',
    '[A-Z]{10,}',
    'a{2,100}',
    '(?<name>abc)',
    '(?<=@)\\w+',
    '\\p{Emoji_Presentation}{5,}',
    '(ab)?c',
    'x*y*z*',
    '\\w+\\s+\\w+\\s+\\w+',
    'f+u+c+k+',
    's+h+[i1!]+t+',
    '\\d+-\\d+-\\d+',
    '.*foo.*',
    '[a-z]+[a-z0-9]*\\.[a-z]+',
    'buy\\s+(?:cheap\\s+)?\\w+',
    '\\S{1,20}\\.\\S{1,20}\\.\\S{1,20}',
  ]
  for (const p of accepted) test(`accepts ${p}`, () => assert.equal(regexProblem(p, false), undefined))

  // Shapes that backtrack catastrophically in a backtracking engine are ordinary on the linear-time one.
  const formerlyDangerous = [
    '(a+)+',
    '(a*)*b',
    '(\\w+\\s?)+$',
    '(a|ab)+',
    '.*a.*b.*c',
    'a*a*a*b',
    '\\w*\\w*\\W',
    '\\S*\\S*\\s',
    '[\\s\\S]*[\\s\\S]*\\d',
    '(?:\\w|-)+@',
    '\\S+\\.\\S+\\.\\S+',
  ]
  for (const p of formerlyDangerous)
    test(`accepts ${p} (linear-time engine)`, () => assert.equal(regexProblem(p, false), undefined))

  const refused: [string, RegExp][] = [
    ['(', /not a valid regular expression/],
    ['[a-', /not a valid regular expression/],
    ['\\-', /not a valid regular expression/],
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['(?=abc)x', /lookaheads/],
    ['a(?!b)', /lookaheads/],
    ['a{1,5000}', /not supported by the linear-time regex engine|too large/],
    ['\\w{0,1000}\\s{0,1000}!', /too large for the regex engine/],
    ['x'.repeat(501), /longer than 500/],
  ]
  for (const [p, reason] of refused)
    test(`refuses ${p.slice(0, 20)}`, () => assert.match(regexProblem(p, false) ?? 'accepted', reason))

  test('escaped brackets and quantifier characters are plain characters', () => {
    assert.equal(regexProblem('\\(a\\+\\)\\+', false), undefined)
    assert.equal(regexProblem('[(+]+', false), undefined)
  })
})

describe('requiredLiterals', () => {
  const cases: [string, string[] | undefined][] = [
    ['spam', ['spam']],
    ['Free\\s+V-?Bucks', ['bucks']],
    ['abc|de', ['abc', 'de']],
    ['abc|d', undefined],
    ['a|b', undefined],
    ['colou?r', ['colo']],
    ['s+h+[i1!]+t+', ['sh']],
    ['ab+c', ['ab']],
    ['(?:x|y)zzz', ['zzz']],
    ['https?://bit\\.ly', ['://bit.ly']],
    ['\\bfoo\\b', ['foo']],
    ['[A-Z]{10,}', undefined],
    ['\\d{3}-\\d{4}', undefined],
    ['(?=abc)x', undefined],
    ['café', ['caf']],
    ['(?<name>abc)de', ['de']],
    ['a{0,3}bc', ['bc']],
    ['xy{2}z', ['xy']],
  ]
  for (const [p, want] of cases)
    test(`${p} → ${JSON.stringify(want)}`, () => assert.deepEqual(requiredLiterals(p), want))

  test('every literal really occurs in every match (random strings)', () => {
    const patterns = ['s+h+[i1!]+t+', 'free\\s+v-?bucks', 'ab+c', 'colou?r', 'x(?:ab|cd)+yz', 'a{2,3}bc']
    const alphabet = 'abcdefhilorstuvxyz1! -'
    let checked = 0
    for (const p of patterns) {
      const re = new RegExp(p, 'iu')
      const lits = requiredLiterals(p)!
      for (let i = 0; i < 20_000; i++) {
        let s = ''
        for (let k = 0; k < 12; k++) s += alphabet[Math.floor(Math.random() * alphabet.length)]
        const m = re.exec(s)
        if (m === null) continue
        checked++
        assert.ok(
          lits.some((l) => m[0].toLowerCase().includes(l)),
          `${p} matched ${m[0]} without ${lits}`,
        )
      }
    }
    assert.ok(checked > 0)
  })
})

describe('caseMatters', () => {
  test('letters, \\w, \\b and \\p matter; digits, spaces and symbols do not', () => {
    for (const p of ['a', '[A-Z]', '\\w+', '\\bx', '\\p{Lu}', '\\x41', 'é', '\\\\d'])
      assert.equal(caseMatters(p), true, p)
    for (const p of ['\\d{3}-\\d{4}', '\\s+!!', '[0-9]+', '^\\D$', '😀{3}']) assert.equal(caseMatters(p), false, p)
  })
})
