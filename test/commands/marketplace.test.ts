/**
 * `waddlebot marketplace publish|search|install|list --installed|uninstall` end to end (the real CLI as a
 * child process) against a signed-webhook module (a fake on 127.0.0.1): the probe at publish, a refused
 * checksum as one coded line, the installation rows and `#` command rows they write. On SQLite only, to keep
 * process spawns few: the same store functions run on Postgres + Redis in
 * src/modules/marketplace/marketplace.test.ts (REST and chat).
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { checksumOf, marketModule } from '../fakes/market-module.js'
import { startWebhookServer, type WebhookReceiver } from '../fakes/webhook-server.js'
import type { ExecutionRequest } from '../../src/contract/execution.js'
import { createCommunity } from '../../src/modules/community/public.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../src/runtime/storage/index.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const SECRET = 'cli-marketplace-secret'

describe('waddlebot marketplace on sqlite', () => {
  let project: TestProject
  let hook: WebhookReceiver
  let env: Record<string, string>
  const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env, timeoutMs: 60_000 })
  const manifest = (file: string, checksum: string) =>
    writeFileSync(
      `${project.dir}/${file}`,
      [
        'name: weather',
        'version: 1.0.0',
        'summary: Weather for a city',
        'commands:',
        '  - name: "#weather"',
        '    usage: <city>',
        'target:',
        '  type: webhook',
        `  location: ${hook.url}/run`,
        'scopes: [chat:write]',
        `checksum: ${checksum}`,
        '',
      ].join('\n'),
    )

  before(async () => {
    hook = await startWebhookServer(SECRET, (req) => ({
      status: 200,
      body: marketModule('weather-bundle', () => [{ type: 'chat', text: 'sunny' }])(
        JSON.parse(req.body) as ExecutionRequest,
      ),
    }))
    project = testProject()
    env = {
      WADDLEBOT_CONFIG: '',
      DATABASE_URL: 'sqlite:./data/market.db',
      REDIS_URL: '',
      WADDLEBOT_LOG_LEVEL: 'silent',
      WADDLEBOT_WEBHOOK_SECRET: SECRET,
      WADDLEBOT_TARGET_ALLOW: '127.0.0.1',
    }
    const storage = await createStorage({ url: env.DATABASE_URL!, cwd: project.dir })
    try {
      await storage.migrate([coreMigrations])
      await createCommunity(storage, { name: 'Penguin Club', actor: 'test' })
    } finally {
      await storage.close()
    }
  })
  after(async () => {
    await hook?.close()
    project?.cleanup()
  })

  test('a checksum the target does not report is refused with one coded line', async () => {
    manifest('bad.yaml', checksumOf('another bundle'))
    const r = await cli('marketplace', 'publish', 'bad.yaml')
    assert.equal(r.code, 2, r.stdout)
    assert.match(
      r.stderr.trim(),
      new RegExp(
        `^error WB_MARKET_CHECKSUM_MISMATCH: weather 1.0.0 refused: its target runs ${checksumOf('weather-bundle')}, the manifest declares ${checksumOf('another bundle')} \\(.+\\)$`,
      ),
    )
    assert.deepEqual(hook.verified, [true], 'the probe was signed')
  })

  test('publish, search, install, list --installed, uninstall', async () => {
    manifest('weather.yaml', checksumOf('weather-bundle'))
    const published = await cli('marketplace', 'publish', 'weather.yaml')
    assert.equal(published.code, 0, published.stderr)
    assert.match(published.stdout, /Published weather 1.0.0 \(#weather\), target webhook passed its probe/)
    const found = await cli('marketplace', 'search', 'city')
    assert.match(
      found.stdout,
      /weather 1.0.0: Weather for a city\n {2}commands #weather · scopes chat:write · no reviews · 0 installs/,
    )
    const installed = await cli(
      'marketplace',
      'install',
      'weather',
      '--community',
      'penguin-club',
      '--approve',
      'chat:write',
    )
    assert.equal(installed.code, 0, installed.stderr)
    assert.match(installed.stdout, /Installed weather 1.0.0 in community penguin-club: #weather/)
    const listed = await cli('marketplace', 'list', '--installed', '--community', 'penguin-club', '--json')
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { module: string; version: string; commands: string[] }[]).map((i) => [
        i.module,
        i.version,
        i.commands,
      ]),
      [['weather', '1.0.0', ['#weather']]],
    )
    const removed = await cli('marketplace', 'uninstall', 'weather', '--community', 'penguin-club')
    assert.equal(removed.code, 0, removed.stderr)
    const storage = await createStorage({ url: env.DATABASE_URL!, cwd: project.dir })
    try {
      const rows = await storage.query<{ action: string; actor: string }>(
        sql`select action, actor from audit_log where action like 'marketplace.%' order by id`,
      )
      assert.deepEqual(
        rows.map((r) => r.action),
        ['marketplace.publish', 'marketplace.install', 'marketplace.uninstall'],
      )
      assert.ok(rows.every((r) => r.actor.startsWith('cli:')))
      const command = await storage.one<{ module: string; is_active: number }>(
        sql`select module, is_active from commands where prefix = '#' and name = 'weather'`,
      )
      assert.deepEqual(
        { module: command?.module, active: Number(command?.is_active) },
        { module: 'market:weather', active: 0 },
      )
      assert.equal(
        (await storage.query(sql`select * from module_installations where module = 'market:weather'`)).length,
        0,
      )
    } finally {
      await storage.close()
    }
  })
})
