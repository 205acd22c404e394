import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ELLIPSIS, splitMessage } from './split.js'

const graphemes = (s: string) =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment)
/** True when no part starts or ends inside a grapheme of `text` (joining the parts' graphemes gives text's). */
const graphemeSafe = (text: string, parts: string[]) => {
  const whole = new Set(graphemes(text))
  return parts.every((p) => graphemes(p).every((g) => whole.has(g) || g === ELLIPSIS))
}
const hasLoneSurrogate = (s: string) => /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s)

const family = '👨‍👩‍👧‍👦' // 11 code units, one grapheme
const flag = '🇩🇪' // 4 code units
const thumbs = '👍🏽' // 4 code units
const eAcute = 'e\u0301' // e + combining acute
const zalgo = `a${'\u0300\u0301\u0302'.repeat(3)}` // 10 units, one grapheme

describe('splitMessage', () => {
  const cases: { name: string; text: string; limit: number; maxParts?: number; want: string[] }[] = [
    { name: 'fits: returned unchanged', text: 'pong', limit: 500, want: ['pong'] },
    { name: 'exactly the limit', text: 'abcde', limit: 5, want: ['abcde'] },
    { name: 'empty text: no parts', text: '', limit: 5, want: [] },
    { name: 'whitespace only', text: '      \n  ', limit: 5, want: [] },
    { name: 'splits at spaces, drops the space at a break', text: 'aaa bbb ccc', limit: 7, want: ['aaa bbb', 'ccc'] },
    { name: 'keeps inner spacing, drops runs at breaks', text: 'aa  bb   cc', limit: 6, want: ['aa  bb', 'cc'] },
    { name: 'newlines are break points too', text: 'line one\nline two', limit: 9, want: ['line one', 'line two'] },
    { name: 'a long word is cut at the limit', text: 'abcdefghij', limit: 4, want: ['abcd', 'efgh', 'ij'] },
    {
      name: 'a long word after short ones starts a new part',
      text: 'hi abcdefgh',
      limit: 4,
      want: ['hi', 'abcd', 'efgh'],
    },
    { name: 'emoji (surrogate pairs) are never cut', text: '😀😀😀', limit: 3, want: ['😀', '😀', '😀'] },
    { name: 'ZWJ family stays whole', text: `${family}${family}`, limit: 12, want: [family, family] },
    { name: 'flags stay whole', text: `${flag}${flag}${flag}`, limit: 9, want: [`${flag}${flag}`, flag] },
    { name: 'skin-tone modifier stays with its emoji', text: `${thumbs}${thumbs}`, limit: 6, want: [thumbs, thumbs] },
    {
      name: 'combining marks stay on their letter',
      text: `${eAcute}${eAcute}${eAcute}`,
      limit: 3,
      want: [eAcute, eAcute, eAcute],
    },
    {
      name: 'a grapheme longer than the limit is cut at code points',
      text: zalgo,
      limit: 4,
      want: ['a\u0300\u0301\u0302', '\u0300\u0301\u0302\u0300', '\u0301\u0302'],
    },
    {
      name: 'CJK without spaces is cut between characters',
      text: '日本語のテキスト',
      limit: 3,
      want: ['日本語', 'のテキ', 'スト'],
    },
    { name: 'CJK astral characters (surrogate pairs)', text: '𠀀𠀁𠀂', limit: 5, want: ['𠀀𠀁', '𠀂'] },
    {
      name: 'over maxParts: the last part ends with …',
      text: 'one two three four five six',
      limit: 9,
      maxParts: 2,
      want: ['one two', 'three…'],
    },
    {
      name: 'ellipsis when the last part is full',
      text: 'aaaa bbbb cccc',
      limit: 4,
      maxParts: 2,
      want: ['aaaa', 'bbb…'],
    },
    { name: 'maxParts 1', text: 'hello wonderful world', limit: 12, maxParts: 1, want: ['hello…'] },
  ]
  for (const c of cases) {
    test(c.name, () => {
      const parts = splitMessage(c.text, c.limit, c.maxParts)
      assert.deepEqual(parts, c.want)
      for (const p of parts) {
        assert.ok(p.length <= c.limit, `${JSON.stringify(p)} fits ${c.limit}`)
        assert.ok(!hasLoneSurrogate(p), `${JSON.stringify(p)} has no lone surrogate`)
      }
    })
  }

  test('a long Twitch reply: every part ≤ 500, words and emoji intact, text preserved', () => {
    const words = [
      'hello',
      'wörld',
      '日本語',
      family,
      'naïve',
      thumbs,
      'Ελληνικά',
      `caf${eAcute}`,
      'supercalifragilistic',
    ]
    const text = Array.from({ length: 400 }, (_, i) => words[i % words.length]).join(' ')
    const parts = splitMessage(text, 500, 100)
    assert.ok(parts.length > 1)
    for (const p of parts) {
      assert.ok(p.length <= 500)
      assert.equal(p, p.trim())
    }
    assert.equal(parts.join(' '), text, 'only the spaces at the breaks are gone')
    assert.ok(graphemeSafe(text, parts))
    for (const p of parts) for (const w of p.split(' ')) assert.ok(words.includes(w), `${w} is a whole word`)
  })

  test('truncated reply: exactly maxParts parts, last one ends with … and fits', () => {
    const text = 'word '.repeat(500)
    const parts = splitMessage(text, 500, 3)
    assert.equal(parts.length, 3)
    assert.ok(parts[2]!.endsWith(ELLIPSIS))
    assert.ok(parts.every((p) => p.length <= 500))
    assert.ok(!parts.slice(0, 2).some((p) => p.includes(ELLIPSIS)))
  })

  test('bad limits are refused', () => {
    assert.throws(() => splitMessage('x', 1), RangeError)
    assert.throws(() => splitMessage('x', 10, 0), RangeError)
  })
})
