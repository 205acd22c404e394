import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileMatcher, compileMatcherAsync } from './compile.js'
import { rule } from './test-helpers.js'
import type { StringRule } from './types.js'

/** [rule, message, matches?] — each case compiled alone and also all together (no interference). */
const cases: [string, StringRule, string, boolean][] = [
  ['contains, any case', rule('spam'), 'this is SPAMMY', true],
  ['contains, absent', rule('spam'), 'this is fine', false],
  ['contains keeps spaces', rule(' ass '), 'a class act', false],
  ['contains keeps spaces (hit)', rule(' ass '), 'you ass !', true],
  ['contains, case-sensitive miss', rule('Spam', { case_sensitive: true }), 'spam', false],
  ['contains, case-sensitive hit', rule('Spam', { case_sensitive: true }), 'I like Spam.', true],
  ['contains, Unicode case folding', rule('ÉCOLE'), "l'école", true],
  ['contains, final sigma folds', rule('ΣΑΣ'), 'σασ', true],
  ['contains, long s folds', rule('ſpam'), 'SPAM', true],
  ['contains, İ (folding changes length)', rule('İstanbul'), 'go to i̇stanbul', true],
  ['contains, case-sensitive İ', rule('İst', { case_sensitive: true }), 'Visit İstanbul', true],
  ['contains, case-sensitive İ miss', rule('İst', { case_sensitive: true }), 'Visit istanbul', false],
  ['contains, case-sensitive after İ', rule('Bad', { case_sensitive: true }), 'İ Bad', true],
  ['contains, emoji', rule('🍆'), 'nice 🍆🍆', true],
  ['contains, NFD message', rule('café'), 'cafe\u0301 au lait', true],
  ['contains, NFD pattern', rule('cafe\u0301'), 'café', true],
  ['word, whole word', rule('cat', { match_type: 'word' }), 'the cat sat', true],
  ['word, inside another word', rule('cat', { match_type: 'word' }), 'concatenate', false],
  ['word, at the start and end', rule('cat', { match_type: 'word' }), 'cat', true],
  ['word, punctuation around', rule('cat', { match_type: 'word' }), '(cat), "cat!"', true],
  ['word, underscore is a word char', rule('cat', { match_type: 'word' }), 'cat_video', false],
  ['word, digit is a word char', rule('cat', { match_type: 'word' }), 'cat9', false],
  ['word, apostrophe is a boundary', rule('cat', { match_type: 'word' }), "cat's toy", true],
  ['word, second occurrence counts', rule('cat', { match_type: 'word' }), 'concat cat', true],
  ['word, Unicode letters are word chars', rule('bad', { match_type: 'word' }), 'überbad', false],
  ['word, Unicode word itself', rule('straße', { match_type: 'word' }), 'die Straße!', true],
  ['word, Cyrillic', rule('плохо', { match_type: 'word' }), 'это плохо.', true],
  ['word, Cyrillic inside', rule('плохо', { match_type: 'word' }), 'неплохо', false],
  ['word, combining mark after', rule('cafe', { match_type: 'word' }), 'cafe\u0301', false],
  ['word, astral letter before', rule('bad', { match_type: 'word' }), '𝒜bad', false],
  ['word, emoji before', rule('bad', { match_type: 'word' }), '😀bad😀', true],
  ['word, phrase', rule('buy followers', { match_type: 'word' }), 'pls BUY FOLLOWERS now', true],
  ['word, symbol edges need no boundary', rule(':)', { match_type: 'word' }), 'hi:)', true],
  ['word, c++ edge', rule('c++', { match_type: 'word' }), 'I code c++.', true],
  ['word, c++ left edge', rule('c++', { match_type: 'word' }), 'abc++', false],
  ['word, case-sensitive', rule('Bob', { match_type: 'word', case_sensitive: true }), 'bob Bobby', false],
  ['word, case-sensitive hit', rule('Bob', { match_type: 'word', case_sensitive: true }), 'hi Bob!', true],
  ['word, pattern is trimmed', rule('  cat  ', { match_type: 'word' }), 'a cat', true],
  ['exact, trimmed message', rule('hello there', { match_type: 'exact' }), '   Hello There \n', true],
  ['exact, more text', rule('hello', { match_type: 'exact' }), 'hello you', false],
  ['exact, inner whitespace matters', rule('hello there', { match_type: 'exact' }), 'hello  there', false],
  ['exact, pattern trimmed', rule('  hi ', { match_type: 'exact' }), 'hi', true],
  ['exact, case-sensitive', rule('Hi', { match_type: 'exact', case_sensitive: true }), 'hi', false],
  ['exact, case-sensitive hit', rule('Hi', { match_type: 'exact', case_sensitive: true }), ' Hi ', true],
  ['regex, search', rule('free\\s+v-?bucks', { match_type: 'regex' }), 'get FREE  V-Bucks', true],
  ['regex, miss', rule('free\\s+v-?bucks', { match_type: 'regex' }), 'freev bucks', false],
  ['regex, anchors', rule('^!?discord$', { match_type: 'regex' }), 'discord', true],
  ['regex, anchors miss', rule('^!?discord$', { match_type: 'regex' }), 'the discord', false],
  ['regex, no literal (class)', rule('\\d{3}-\\d{4}', { match_type: 'regex' }), 'call 555-1234', true],
  [
    'regex, case-sensitive class',
    rule('[A-Z]{6,}', { match_type: 'regex', case_sensitive: true }),
    'STOP SHOUTING',
    true,
  ],
  [
    'regex, case-sensitive class miss',
    rule('[A-Z]{6,}', { match_type: 'regex', case_sensitive: true }),
    'stop shouting',
    false,
  ],
  ['regex, case-insensitive class', rule('[A-Z]{6,}', { match_type: 'regex' }), 'shouting', true],
  ['regex, Unicode property', rule('\\p{Script=Cyrillic}{3}', { match_type: 'regex' }), 'привет', true],
  ['regex, alternation literals', rule('casino|betting', { match_type: 'regex' }), 'Best BETTING site', true],
  ['regex, dot matches astral', rule('^.$', { match_type: 'regex' }), '😀', true],
  ['regex, leetspeak', rule('s+h+[i1!]+t+', { match_type: 'regex' }), 'sssh1t', true],
  ['regex, optional literal', rule('colou?r', { match_type: 'regex' }), 'COLOR', true],
  ['star matches everything', rule('*'), 'anything at all', true],
  ['star matches empty', rule('*', { match_type: 'exact' }), '', true],
  ['star regex type', rule('*', { match_type: 'regex' }), 'x', true],
  ['disabled rule never matches', rule('spam', { enabled: false }), 'spam', false],
]

describe('compileMatcher: match types', () => {
  for (const [name, r, message, expected] of cases) {
    test(name, () => {
      const hits = compileMatcher([r]).match(message, null)
      assert.equal(hits.length > 0, expected, `${JSON.stringify(r.pattern)} vs ${JSON.stringify(message)}`)
      if (expected) assert.equal(hits[0].rule, r)
    })
  }

  test('all cases compiled together give the same answers', () => {
    const matcher = compileMatcher(cases.map(([, r]) => r))
    for (const [name, r, message, expected] of cases) {
      const ids = matcher.match(message, null).map((h) => h.rule.id)
      assert.equal(ids.includes(r.id), expected, name)
    }
  })
})

describe('compileMatcherAsync', () => {
  test('builds the same matcher, in slices', async () => {
    const rules = cases.map(([, r]) => r)
    const sync = compileMatcher(rules)
    const sliced = await compileMatcherAsync(rules, 7)
    assert.equal(sliced.size, sync.size)
    for (const [, , message] of cases) {
      assert.deepEqual(
        sliced.match(message, null).map((h) => h.rule.id),
        sync.match(message, null).map((h) => h.rule.id),
        message,
      )
    }
  })
})

describe('compileMatcher: hits', () => {
  test('matched text: the occurrence, the regex match, the trimmed message for exact', () => {
    const m = compileMatcher([
      rule('spam', { id: 1 }),
      rule('\\d+', { id: 2, match_type: 'regex' }),
      rule('hi', { id: 3, match_type: 'exact' }),
    ])
    assert.deepEqual(
      m.match('SPAM 42', null).map((h) => [h.rule.id, h.matched]),
      [
        [1, 'spam'],
        [2, '42'],
      ],
    )
    assert.deepEqual(
      m.match('  HI  ', null).map((h) => [h.rule.id, h.matched]),
      [[3, 'HI']],
    )
  })

  test('sorted by priority, then id; each rule once', () => {
    const rules = [
      rule('a', { id: 10, priority: 5 }),
      rule('a', { id: 3, priority: 50 }),
      rule('aa', { id: 2, priority: 5 }),
      rule('*', { id: 1, priority: 200 }),
    ]
    const ids = compileMatcher(rules)
      .match('aaaa aa', null)
      .map((h) => h.rule.id)
    assert.deepEqual(ids, [2, 10, 3, 1])
  })

  test('scope: global rules and the entity’s own, never another entity’s', () => {
    const rules = [
      rule('x', { id: 1 }),
      rule('x', { id: 2, entity_id: 'twitch:a:a' }),
      rule('x', { id: 3, entity_id: 'twitch:b:b' }),
      rule('*', { id: 4, entity_id: 'twitch:a:a' }),
      rule('[x]', { id: 5, match_type: 'regex', entity_id: 'twitch:b:b' }),
      rule('x', { id: 6, match_type: 'exact', entity_id: 'twitch:b:b' }),
    ]
    const m = compileMatcher(rules)
    assert.deepEqual(
      m.match('x', 'twitch:a:a').map((h) => h.rule.id),
      [1, 2, 4],
    )
    assert.deepEqual(
      m.match('x', 'twitch:b:b').map((h) => h.rule.id),
      [1, 3, 5, 6],
    )
    assert.deepEqual(
      m.match('x', 'twitch:c:c').map((h) => h.rule.id),
      [1],
    )
    assert.deepEqual(
      m.match('x', null).map((h) => h.rule.id),
      [1],
    )
    assert.deepEqual(
      m.match('y', 'twitch:a:a').map((h) => h.rule.id),
      [4],
    )
  })

  test('the same regex in many scopes is matched per scope', () => {
    const rules = ['e1', 'e2', 'e3'].map((e, i) => rule('[0-9]{4}', { id: i + 1, match_type: 'regex', entity_id: e }))
    const m = compileMatcher(rules)
    assert.deepEqual(
      m.match('pin 1234', 'e2').map((h) => h.rule.id),
      [2],
    )
    assert.deepEqual(m.match('pin 12', 'e2'), [])
  })

  test('invalid or unsupported regexes (written straight to the table) are skipped, not fatal', () => {
    const m = compileMatcher([
      rule('(', { id: 1, match_type: 'regex' }),
      rule('(?=a)b', { id: 2, match_type: 'regex' }),
      rule('ok', { id: 3 }),
      rule('  ', { id: 4, match_type: 'word' }),
    ])
    assert.deepEqual(
      m.skipped.map((s) => s.id),
      [1, 2, 4],
    )
    assert.equal(m.size, 1)
    assert.deepEqual(
      m.match('ok aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', null).map((h) => h.rule.id),
      [3],
    )
  })

  test('regex rules see at most the first 2000 code units', () => {
    const m = compileMatcher([rule('needle', { id: 1, match_type: 'regex' }), rule('needle', { id: 2 })])
    assert.deepEqual(
      m.match(`${'x'.repeat(3000)} needle`, null).map((h) => h.rule.id),
      [2],
    )
    assert.deepEqual(
      m.match(`needle ${'x'.repeat(3000)}`, null).map((h) => h.rule.id),
      [1, 2],
    )
  })

  test('any input: non-strings, lone surrogates, huge text never throw', () => {
    const m = compileMatcher([rule('a'), rule('\\w+', { match_type: 'regex' }), rule('*', { entity_id: 'e' })])
    for (const input of [undefined, null, 42, {}, [], Symbol('s'), '\ud800', '\udc00a', 'a'.repeat(100_000)]) {
      assert.ok(Array.isArray(m.match(input, 'e')))
    }
    assert.deepEqual(
      m.match(undefined, 'e').map((h) => h.matched),
      [''],
    )
  })

  test('an empty rule set matches nothing', () => {
    assert.deepEqual(compileMatcher([]).match('anything', 'e'), [])
  })
})
