/**
 * `waddlebot hub admin create` / `hub temp-password` / `hub` as real child processes: the first admin gets a
 * one-time password that logs in to a running hub (and only once), an unknown user is one coded line and
 * exit 2, and `waddlebot hub` next to a running hub prints its URL and exits. SQLite (the stores run on both
 * backends in test/modules/hub-server.test.ts).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sqliteBackend } from '../helpers/backends.js'
import { runCli } from '../helpers/cli.js'
import { type HubFixture, startHubFixture } from '../helpers/hub-runtime.js'

let f: HubFixture
let env: Record<string, string>
const cli = (...args: string[]) => runCli(args, { cwd: f.runtime.settings.projectDir, env, timeoutMs: 60_000 })

before(async () => {
  f = await startHubFixture(sqliteBackend())
  env = {
    WADDLEBOT_CONFIG: '',
    WADDLEBOT_LOG_LEVEL: 'silent',
    REDIS_URL: '',
    WADDLEBOT_PORT_OFFSET: String(f.runtime.settings.portOffset),
    DATABASE_URL: f.runtime.settings.database.url,
    WADDLEBOT_SERVICE_KEY: '',
  }
})
after(async () => {
  await f?.close()
})

test('hub admin create prints a one-time password that logs the admin in once', async () => {
  const made = await cli('hub', 'admin', 'create', 'chief', '--json')
  assert.equal(made.code, 0, made.stderr)
  const out = JSON.parse(made.stdout)
  assert.match(out.user_id, /^idn_/)
  assert.match(out.password, /^[\w-]{22}$/)
  const b = f.browser()
  await b.get('/api/v1/auth/session')
  const login = await b.send('POST', '/api/v1/auth/temp-password', { user: 'chief', password: out.password })
  assert.equal(login.status, 200, login.text)
  assert.equal(login.json.user.platform_admin, true)
  const again = await b.send('POST', '/api/v1/auth/temp-password', { user: 'chief', password: out.password })
  assert.equal(again.status, 401)
})

test('an unknown user is one coded line and exit 2', async () => {
  const res = await cli('hub', 'temp-password', 'twitch:nobody')
  assert.equal(res.code, 2)
  assert.equal(
    res.stderr.trim(),
    'error WB_HUB_USER_UNKNOWN: no user twitch:nobody (name a chat account as platform:user_name (e.g. twitch:alice); it must have chatted with the bot or be linked)',
  )
  const bad = await cli('hub', 'admin', 'create', 'no spaces allowed')
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /^error WB_INPUT_INVALID: invalid user: /)
})

test('waddlebot hub next to a running hub prints its URL and exits', async () => {
  const res = await cli('hub')
  assert.equal(res.code, 0, res.stderr)
  assert.equal(res.stdout, `The hub is already served at ${f.url}/\n`)
})
