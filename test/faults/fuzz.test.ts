/**
 * Acceptance (issue 12): 10,000 fuzz cases over every HTTP body schema of every runnable module and the chat
 * parser: no 5xx, nothing thrown, the process alive. `npm run bench` runs 1,000,000 (key fuzz_cases_per_s).
 * Set WADDLEBOT_FUZZ_SEED to replay a failing run.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type FuzzHost, fuzz, startFuzzHost } from './fuzz.js'

const CASES = 10_000
const seed = Number(process.env.WADDLEBOT_FUZZ_SEED ?? Math.floor(Math.random() * 1e9))

describe('fuzz: every HTTP body schema and the chat parser', () => {
  let host: FuzzHost
  before(async () => {
    host = await startFuzzHost()
  })
  after(() => host?.close())

  test(`${CASES.toLocaleString('en')} cases: no 5xx, no throw (seed ${seed})`, async (t) => {
    const modules = new Set(host.routes.map((r) => r.module))
    t.diagnostic(
      `${host.routes.length} routes in ${modules.size} modules: ${host.routes.map((r) => `${r.method} ${r.url}`).join(', ')}`,
    )
    assert.ok(host.routes.some((r) => r.url === '/api/v1/events'))
    assert.ok(host.routes.some((r) => r.url === '/browser/source/display'))
    const failures = await fuzz(host, seed, 0, CASES)
    assert.deepEqual(
      failures.slice(0, 5),
      [],
      `${failures.length} failing cases (replay with WADDLEBOT_FUZZ_SEED=${seed})`,
    )
  })
})
