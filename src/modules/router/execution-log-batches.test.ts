/**
 * More rows in one turn than one batch holds: every row is written (in batches of at most maxBatch), every
 * add() promise settles, in order. A full batch used to be set aside and never written.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { executionRecord } from '../../../test/helpers/execution-record.js'
import { createLogger } from '../../runtime/logger.js'
import { ExecutionLog } from './execution-log.js'
import type { ExecutionWriter } from './execution-writer.js'

const record = (i: number) => executionRecord(i)

test('35 rows in one turn with maxBatch 10: four transactions of at most 10, all 35 written, all promises settle', async () => {
  const batches: string[][] = []
  const writer: ExecutionWriter = {
    async write(rows) {
      batches.push(rows.map((r) => r.execution_id))
      await new Promise((r) => setTimeout(r, 2))
    },
    async close() {},
  }
  const log = new ExecutionLog(writer, createLogger({ level: 'silent' }), { maxBatch: 10 })
  const settled = await Promise.all(Array.from({ length: 35 }, (_, i) => log.add(record(i)).then(() => i)))
  assert.equal(settled.length, 35)
  assert.deepEqual(
    batches.map((b) => b.length),
    [10, 10, 10, 5],
  )
  assert.deepEqual(
    batches.flat(),
    Array.from({ length: 35 }, (_, i) => `x${i}`),
  )
  assert.equal(log.pending, 0)
  await log.close()
})
