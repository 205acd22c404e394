/** Issue 12: overlay token guesses are limited per client address (pages and sockets), on both backends. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type BrowserSourceFixture, startBrowserSource } from '../../../test/browser/bs-fixture.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`overlay token guesses on ${backend.name}`, { skip }, () => {
    let f: BrowserSourceFixture
    before(async () => {
      f = await startBrowserSource(backend, { yaml: 'modules:\n  browser-source: {token_guess_limit: 5}\n' })
    })
    after(() => f?.close())

    test('after 5 unknown tokens the address gets 429 WB_RATE_LIMITED, even for a valid token, and sockets close 4429', async () => {
      const tokens = await f.bs.tokens.ensureTokens(f.community())
      assert.equal(
        (await f.get(`/browser/source/${tokens.media}/media`, null)).status,
        200,
        'valid tokens are not counted',
      )
      for (let i = 0; i < 5; i++)
        assert.equal((await f.get(`/browser/source/guess${i}${'x'.repeat(38)}/media`, null)).status, 404)
      const limited = await f.get(`/browser/source/guess6${'x'.repeat(38)}/media`, null)
      assert.equal(limited.status, 429)
      assert.equal(limited.json.error.code, 'WB_RATE_LIMITED')
      assert.match(limited.json.error.message, /overlay token guesses/)
      assert.ok(Number(limited.headers.get('retry-after')) >= 1)
      assert.equal(
        (await f.get(`/browser/source/${tokens.media}/media`, null)).status,
        429,
        'a right guess does not get through either',
      )
      const socket = await f.connect(tokens.media, 'media')
      assert.equal((await socket.closed).code, 4429)
    })
  })
}
