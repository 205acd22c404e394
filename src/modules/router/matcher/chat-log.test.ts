import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseChatLog, replayChatLog } from './chat-log.js'
import { rule } from './test-helpers.js'

test('parseChatLog: plain, `user: message` and `[hh:mm:ss] user: message` lines; blank lines skipped', () => {
  const log = [
    'hello',
    'bob: hi there',
    '[12:03:04] ann_1: !so bob',
    '[9:05] x.y-z: ok',
    '',
    '   ',
    'note:no space',
    'ünï: unicode name',
    'a: ',
    '\r',
  ].join('\n')
  assert.deepEqual(parseChatLog(`${log}\r\n`), [
    { message: 'hello' },
    { user: 'bob', message: 'hi there' },
    { user: 'ann_1', message: '!so bob' },
    { user: 'x.y-z', message: 'ok' },
    { message: 'note:no space' },
    { user: 'ünï', message: 'unicode name' },
    { user: 'a', message: '' },
  ])
})

test('replayChatLog: per-rule line counts (a rule counts once per line), scope, skipped rules', () => {
  const rules = [
    rule('spam', { id: 1 }),
    rule('x', { id: 2, entity_id: 'e1', priority: 1 }),
    rule('(', { id: 3, match_type: 'regex' }),
    rule('off', { id: 4, enabled: false }),
  ]
  const lines = parseChatLog('spam spam\nbob: x marks\nnothing\nx spam')
  const all = replayChatLog(rules, lines)
  assert.deepEqual(
    all.rules.map((r) => [r.id, r.hits]),
    [
      [2, 2],
      [1, 2],
    ],
  )
  assert.equal(all.lines, 4)
  assert.equal(all.lines_with_hits, 3)
  assert.deepEqual(
    all.skipped.map((s) => s.id),
    [3],
  )
  const other = replayChatLog(rules, lines, 'e2')
  assert.deepEqual(
    other.rules.map((r) => [r.id, r.hits]),
    [[1, 2]],
  )
  assert.equal(other.lines_with_hits, 2)
})
