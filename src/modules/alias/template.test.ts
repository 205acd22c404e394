/** The pure parts of the alias module, table-driven: variable expansion and import parsing/translation. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseImport, translateVariables } from './import-file.js'
import { expand, formatDuration } from './template.js'

const base = {
  user: 'Ann',
  args: ['@Bob', 'two'],
  channel: 'chan',
  now: Date.UTC(2026, 0, 1, 14, 5),
  random: () => 0.99,
}

describe('expand', () => {
  const cases: [string, string, Partial<typeof base> & { count?: number; uptime?: string }][] = [
    ['Hello {user}', 'Hello Ann', {}],
    ['{touser}', 'Bob', {}],
    ['{touser}', 'Ann', { args: [] }],
    ['{touser}', 'Ann', { args: ['@'] }],
    ['{arg1}|{arg2}|{arg3}', '@Bob|two|', {}],
    ['{args}', '@Bob two', {}],
    ['{ARGS} {User}', '@Bob two Ann', {}],
    ['{count}', '7', { count: 7 }],
    ['{count}', '{count}', {}],
    ['{uptime}', '2h 3m', { uptime: '2h 3m' }],
    ['{channel}', 'chan', {}],
    ['{random:a|b|c}', 'c', {}],
    ['{random.number:1-100}', '100', {}],
    ['{random.number:100-1}', '{random.number:100-1}', {}],
    ['{random.number:x}', '{random.number:x}', {}],
    ['{time}', '14:05 UTC', {}],
    ['{time:Asia/Tokyo}', '23:05 GMT+9', {}],
    ['{time:Not/AZone}', '{time:Not/AZone}', {}],
    ['{unknown} {also:thing} {', '{unknown} {also:thing} {', {}],
    ['no variables', 'no variables', {}],
  ]
  for (const [template, expected, extra] of cases)
    test(`given ${template}, returns ${expected}`, () =>
      assert.equal(expand(template, { ...base, ...extra }), expected))
})

test('formatDuration', () => {
  assert.equal(formatDuration(40_000), '40s')
  assert.equal(formatDuration(12 * 60_000), '12m')
  assert.equal(formatDuration(3_900_000), '1h 5m')
  assert.equal(formatDuration(26 * 3_600_000), '1d 2h 0m')
})

/** StreamElements' `${x}` written as `%{x}` (a `${` in a plain string reads like a template mistake). */
const se = (text: string) => text.replaceAll('%{', '${')

describe('translateVariables (Nightbot $(…), StreamElements %{…})', () => {
  const ok: [string, string][] = [
    ['$(user) hugs $(touser)', '{user} hugs {touser}'],
    ['$(query) / $(1) $(2)', '{args} / {arg1} {arg2}'],
    ['$(count) $(channel) $(uptime) $(time Europe/Berlin)', '{count} {channel} {uptime} {time:Europe/Berlin}'],
    [se('%{user} %{touser} %{1} %{1:}'), '{user} {touser} {arg1} {args}'],
    [
      se("%{random.pick 'a b' 'c'} %{random.1-6} %{time.America/New_York}"),
      '{random:a b|c} {random.number:1-6} {time:America/New_York}',
    ],
  ]
  for (const [from, to] of ok)
    test(`given ${from}, returns ${to}`, () => assert.deepEqual(translateVariables(from), { text: to }))
  test('a variable without an equivalent is named', () => {
    assert.deepEqual(translateVariables('hi $(user) $(urlfetch https://x)'), { unknown: '$(urlfetch https://x)' })
    assert.deepEqual(translateVariables(se('%{customapi.https://x}')), { unknown: se('%{customapi.https://x}') })
  })
})

describe('parseImport', () => {
  test('CSV with a header, quoted commas and translated variables', () => {
    const csv = 'name,response\n!Hi,Hello $(user)\n\nso,"Follow $(touser), now ""please"""\n'
    assert.deepEqual(parseImport(csv, false), {
      ok: true,
      lines: [
        { line: 2, name: 'hi', response: 'Hello {user}' },
        { line: 4, name: 'so', response: 'Follow {touser}, now "please"' },
      ],
    })
  })
  test('JSON lists, with name/response or command/message', () => {
    const json = JSON.stringify([
      { name: 'a', response: 'x' },
      { command: '!b', message: se('%{user}') },
    ])
    assert.deepEqual(parseImport(json, true), {
      ok: true,
      lines: [
        { line: 1, name: 'a', response: 'x' },
        { line: 2, name: 'b', response: '{user}' },
      ],
    })
  })
  const refused: [string, boolean, number, RegExp][] = [
    ['a,ok\nb,$(eval 1+1)', false, 2, /\$\(eval 1\+1\) has no waddlebot equivalent/],
    ['a,ok\nbad name!,x', false, 2, /is not a valid name/],
    ['a,ok\na,again', false, 2, /!a appears twice/],
    ['a,ok\njustaname', false, 2, /expected name,response/],
    ['a, ', false, 1, /the text is empty/],
    ['', false, 1, /no custom commands/],
    ['{not json', true, 1, /not valid JSON/],
    ['{"x":1}', true, 1, /expected a list/],
    ['[{"name":"a"}]', true, 1, /needs a name and a response/],
  ]
  for (const [text, json, line, reason] of refused)
    test(`refuses ${JSON.stringify(text)} at line ${line}`, () => {
      const parsed = parseImport(text, json)
      assert.equal(parsed.ok, false)
      if (!parsed.ok) {
        assert.equal(parsed.line, line)
        assert.match(parsed.reason, reason)
      }
    })
})
