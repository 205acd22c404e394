import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from '../../src/runtime/logger.js'

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
