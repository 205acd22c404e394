/**
 * The events API acknowledges an event only once its execution rows are committed (group commit): right
 * after the 200, with no flush, the rows are in command_executions, for a single event and for a batch.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { chatEvent, type RouterFixture, startRouterFixture } from '../../../test/helpers/router-runtime.js'
import { sql } from '../../runtime/storage/sql.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`execution log group commit on ${backend.name}`, { skip }, () => {
    let f: RouterFixture
    before(async () => {
      f = await startRouterFixture(backend)
    })
    after(() => f?.close())

    const rowsOf = async (sessions: string[]) =>
      (await f.runtime.storage.query<{ session_id: string }>(sql`select session_id from command_executions`)).filter(
        (r) => sessions.includes(r.session_id),
      ).length

    test('a 200 from POST /api/v1/events means the row is committed', async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, () => f.post('/api/v1/events', chatEvent('!ping'))))
      assert.ok(answers.every((a) => a.statusCode === 200))
      const sessions = answers.map((a) => a.json().session_id as string)
      assert.equal(await rowsOf(sessions), 50)
    })

    test('a 200 from POST /api/v1/events/batch means every row is committed', async () => {
      const res = await f.post('/api/v1/events/batch', { events: Array.from({ length: 20 }, () => chatEvent('!ping')) })
      assert.equal(res.statusCode, 200)
      const sessions = (res.json().results as { session_id: string }[]).map((r) => r.session_id)
      assert.equal(await rowsOf(sessions), 20)
    })

    test('a NUL character in the text is dropped: answered 200 and recorded (Postgres cannot store U+0000)', async () => {
      const res = await f.post('/api/v1/events', { ...chatEvent('!ping \u0000x'), user_name: 'A\u0000nn' })
      assert.equal(res.statusCode, 200, res.body)
      assert.equal(res.json().outcome, 'command')
      assert.equal(await rowsOf([res.json().session_id]), 1)
      const after = await f.post('/api/v1/events', chatEvent('!ping'))
      assert.equal(after.statusCode, 200, after.body)
      const refused = await f.post('/api/v1/events', { ...chatEvent('!ping'), channel_id: 'c\u0000' })
      assert.equal(refused.statusCode, 400)
      assert.equal(refused.json().error.field, 'channel_id')
    })

    test('plain chat writes nothing and is answered without waiting for a write', async () => {
      const res = await f.post('/api/v1/events', chatEvent('just chatting'))
      assert.equal(res.statusCode, 200)
      assert.equal(res.json().outcome, 'ignored')
      assert.equal(await rowsOf([res.json().session_id]), 0)
    })
  })
}
