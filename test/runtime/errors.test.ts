import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ERRORS, WaddleError } from '../../src/runtime/errors.js'

test('every error code is documented in docs/errors.md, and every documented code exists', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
  const documented = new Set([...doc.matchAll(/^## (WB_[A-Z_]+)\s*$/gm)].map((m) => m[1]))
  assert.deepEqual([...documented].sort(), Object.keys(ERRORS).sort())
})

test('a WaddleError fills its message and hint, and carries status and exit code', () => {
  const e = new WaddleError('WB_PORT_IN_USE', { port: 8000, module: 'router' })
  assert.equal(e.message, 'port 8000 for module router is already in use')
  assert.equal(e.status, 500)
  assert.equal(e.exitCode, 3)
  assert.match(e.name, /WB_PORT_IN_USE/)
  assert.deepEqual(Object.keys(e.toJSON()), ['code', 'message', 'hint'])
})
