import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseCommand, splitArgs } from './parse.js'

describe('parseCommand', () => {
  const cases: [string | undefined, ReturnType<typeof parseCommand>][] = [
    ['!ping', { prefix: '!', name: 'ping', args: [] }],
    ['  !PING now', { prefix: '!', name: 'ping', args: ['now'] }],
    ['#play never gonna', { prefix: '#', name: 'play', args: ['never', 'gonna'] }],
    ['!so "Mr Streamer" now', { prefix: '!', name: 'so', args: ['Mr Streamer', 'now'] }],
    ["!quote add 'it is fine'", { prefix: '!', name: 'quote', args: ['add', 'it is fine'] }],
    ["!say don't panic", { prefix: '!', name: 'say', args: ["don't", 'panic'] }],
    ['!x "unterminated quote here', { prefix: '!', name: 'x', args: ['unterminated quote here'] }],
    ['!', undefined],
    ['! ping', undefined],
    ['hello !ping', undefined],
    ['', undefined],
    [undefined, undefined],
    ['!!!', undefined],
    ['!ping"x', undefined],
    ["!ping'x", undefined],
    ['!"ping"', undefined],
    ['!ping "x y"', { prefix: '!', name: 'ping', args: ['x y'] }],
  ]
  for (const [input, expected] of cases) {
    test(`given ${JSON.stringify(input)}, returns ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseCommand(input), expected)
    })
  }
  test('empty quoted argument is kept', () => {
    assert.deepEqual(splitArgs('a "" b'), ['a', '', 'b'])
  })
})
