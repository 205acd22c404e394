import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { z } from 'zod'
import { timeOrderedId } from './time-ordered-id.js'

describe('timeOrderedId', () => {
  test('is a valid version-7 UUID carrying the time', () => {
    const id = timeOrderedId(0x0190_1234_5678)
    assert.match(id, /^01901234-5678-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.ok(z.uuid().safeParse(id).success, 'zod accepts it as a UUID')
  })

  test('ids from later milliseconds sort after earlier ones; ids are unique', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => timeOrderedId(1_700_000_000_000 + i))
    assert.deepEqual([...ids].sort(), ids)
    assert.equal(new Set(Array.from({ length: 10_000 }, () => timeOrderedId())).size, 10_000)
  })
})
