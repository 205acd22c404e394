import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { prettyLine } from '../../src/runtime/log-pretty.js'
import { createLogger, wantsPretty } from '../../src/runtime/logger.js'

test('secrets are redacted from structured logs', async () => {
  const stream = new PassThrough()
  const lines: string[] = []
  stream.on('data', (d: Buffer) => lines.push(...d.toString().trim().split('\n')))
  const log = createLogger({ destination: stream })
  log.info(
    {
      token: 'oauth:abc',
      user: { password: 'hunter2', name: 'ann' },
      req: { headers: { authorization: 'Bearer x', 'x-api-key': 'wbot_k' } },
    },
    'hello',
  )
  await new Promise((r) => setImmediate(r))
  const entry = JSON.parse(lines[0]!)
  assert.equal(entry.token, '[redacted]')
  assert.equal(entry.user.password, '[redacted]')
  assert.equal(entry.user.name, 'ann')
  assert.equal(entry.req.headers.authorization, '[redacted]')
  assert.equal(entry.req.headers['x-api-key'], '[redacted]')
  assert.ok(!lines.join('').includes('hunter2'))
})

test('pretty format: one readable line per entry, module column, fields as key=value, secrets still redacted', async () => {
  const stream = new PassThrough()
  let text = ''
  stream.on('data', (d: Buffer) => {
    text += d.toString()
  })
  const log = createLogger({ destination: stream, format: 'pretty' }).child({ module: 'twitch' })
  log.warn({ reason: 'Connection closed.', token: 'oauth:abc' }, 'Twitch chat disconnected; reconnecting')
  log.error({ err: new Error('boom\n  at somewhere') }, 'handler failed')
  await new Promise((r) => setImmediate(r))
  const lines = text.trimEnd().split('\n')
  assert.equal(lines.length, 2, text)
  assert.match(
    lines[0]!,
    /^\d\d:\d\d:\d\d\.\d{3} WARN {2}twitch {9}Twitch chat disconnected; reconnecting reason="Connection closed\." token=\[redacted\]$/,
  )
  assert.match(lines[1]!, /ERROR twitch +handler failed err=boom$|ERROR twitch +handler failed err="boom"$/)
  assert.ok(!text.includes('\u001b['), 'no colour when the destination is not a terminal')
  assert.ok(!text.includes('oauth:abc'))
})

test('auto is pretty on a terminal only; json is always JSON', () => {
  assert.equal(wantsPretty('auto', { isTTY: true }), true)
  assert.equal(wantsPretty('auto', { isTTY: false }), false)
  assert.equal(wantsPretty(undefined, {}), false)
  assert.equal(wantsPretty('json', { isTTY: true }), false)
  assert.equal(wantsPretty('pretty', { isTTY: false }), true)
  assert.equal(
    prettyLine({ level: 30, time: 0, msg: 'hi', n: 3, s: 'a b' }, { colour: false }).slice(13),
    'INFO                 hi n=3 s="a b"',
  )
})
