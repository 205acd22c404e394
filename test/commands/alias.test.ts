/**
 * `waddlebot alias list|add|remove|import` (the real CLI as a child process): additions, Nightbot /
 * StreamElements translation, and refusals as `error WB_CODE: message (hint)` with exit 2. Every verb runs
 * on SQLite; on Postgres + Redis (same code, other SQL dialect) the import, a refusal and the list run,
 * since each CLI start costs about a second.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined, boolean][] = [
  [sqliteBackend(), undefined, true],
  [postgresRedisBackend(), unavailable, false],
]

for (const [backend, skip, everyVerb] of backends) {
  describe(`waddlebot alias on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let env: Record<string, string>
    const cli = (...args: string[]) => runCli(['alias', ...args], { cwd: project.dir, env })

    before(async () => {
      env = { ...(await backend.env()), WADDLEBOT_LOG_LEVEL: 'silent' }
      project = testProject({ env, yaml: '' })
      writeFileSync(
        join(project.dir, 'good.csv'),
        // StreamElements' `${random.1-6}`, written without a `${` in a plain string.
        `name,response\nhug,$(user) hugs $(touser)\nroll,"You rolled $\{random.1-6}, $(user)"\n`,
      )
      writeFileSync(join(project.dir, 'bad.csv'), 'ok,fine\nalso,fine too\nnope,$(urlfetch https://example.com)\n')
      writeFileSync(
        join(project.dir, 'shadow.json'),
        JSON.stringify([
          { name: 'ok', response: 'x' },
          { name: 'help', response: 'y' },
        ]),
      )
    })
    after(async () => {
      await backend.cleanup()
      project?.cleanup()
    })

    test('add, import, list, remove; refusals exit 2 with a coded one-line error', async () => {
      if (!everyVerb) {
        assert.equal((await cli('import', 'good.csv')).code, 0)
        const refused = await cli('add', 'ping', 'x')
        assert.equal(refused.code, 2)
        assert.match(
          refused.stderr,
          /^error WB_ALIAS_CONFLICT: cannot add !ping: !ping is a command of the router module/,
        )
        const rows = JSON.parse((await cli('list', '--json')).stdout) as { name: string; response: string }[]
        assert.deepEqual(
          rows.map((r) => [r.name, r.response]),
          [
            ['hug', '{user} hugs {touser}'],
            ['roll', 'You rolled {random.number:1-6}, {user}'],
          ],
        )
        return
      }
      const added = await cli('add', '!Hi', 'Hello {user}!', '--permission', 'vip', '--user-cooldown', '10', '--json')
      assert.equal(added.code, 0, added.stderr)
      assert.deepEqual(
        (({ name, response, permission_level, user_cooldown_ms }) => ({
          name,
          response,
          permission_level,
          user_cooldown_ms,
        }))(JSON.parse(added.stdout)),
        { name: 'hi', response: 'Hello {user}!', permission_level: 'vip', user_cooldown_ms: 10_000 },
      )
      const imported = await cli('import', 'good.csv')
      assert.equal(imported.code, 0, imported.stderr)
      assert.match(imported.stdout, /^Imported 2 custom commands into community default \(2 added, 0 replaced\)\./)
      const refusals: [Awaited<ReturnType<typeof cli>>, RegExp][] = [
        [
          await cli('import', 'shadow.json'),
          /^error WB_ALIAS_IMPORT_INVALID: shadow\.json line 2: !help is a command of the router module \(fix that line/,
        ],
        [
          await cli('add', 'ping', 'x'),
          /^error WB_ALIAS_CONFLICT: cannot add !ping: !ping is a command of the router module/,
        ],
        [
          await cli('import', 'bad.csv'),
          /^error WB_ALIAS_IMPORT_INVALID: bad\.csv line 3: \$\(urlfetch https:\/\/example\.com\) has no waddlebot equivalent \(/,
        ],
        [
          await cli('remove', 'ghost'),
          /^error WB_ALIAS_UNKNOWN: no custom command !ghost in community default \(see `waddlebot alias list`\)/,
        ],
      ]
      for (const [result, expected] of refusals) {
        assert.equal(result.code, 2, result.stderr)
        assert.match(result.stderr, expected)
        assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
      }
      const list = await cli('list', '--json')
      const rows = JSON.parse(list.stdout) as { name: string; response: string }[]
      assert.deepEqual(
        rows.map((r) => [r.name, r.response]),
        [
          ['hi', 'Hello {user}!'],
          ['hug', '{user} hugs {touser}'],
          ['roll', 'You rolled {random.number:1-6}, {user}'],
        ],
        'nothing of bad.csv or shadow.json was imported',
      )
      const removed = await cli('remove', 'hug')
      assert.equal(removed.code, 0, removed.stderr)
      assert.equal(removed.stdout.trim(), 'Removed !hug from community default.')
    })
  })
}
