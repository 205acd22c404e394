/**
 * `waddlebot community create|list|add-entity` end to end (the real CLI as a child process): the rows they
 * write, the audit rows, `--json`, and a one-line coded error. On SQLite only, to keep process spawns few: the
 * same store functions run on Postgres + Redis in src/modules/identity/cross-platform.test.ts (chat and REST).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from '../../src/runtime/storage/sql.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../src/runtime/storage/index.js'
import { type Backend, sqliteBackend } from '../helpers/backends.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const backends: [Backend, string | undefined][] = [[sqliteBackend(), undefined]]

for (const [backend, skip] of backends) {
  describe(`waddlebot community on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let env: Record<string, string>
    const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env, timeoutMs: 60_000 })

    before(async () => {
      project = testProject()
      env = {
        WADDLEBOT_CONFIG: '',
        DATABASE_URL: 'sqlite:./data/community.db',
        REDIS_URL: '',
        WADDLEBOT_LOG_LEVEL: 'silent',
        ...(await backend.env()),
      }
    })
    after(async () => {
      await backend.cleanup()
      project?.cleanup()
    })

    test('create, add-entity, list --json; each write audited', async () => {
      const made = await cli('community', 'create', 'Penguin Club')
      assert.equal(made.code, 0, made.stderr)
      assert.match(made.stdout, /Created community Penguin Club \(id penguin-club\)/)
      const added = await cli('community', 'add-entity', 'penguin-club', 'discord:200:300')
      assert.equal(added.code, 0, added.stderr)
      assert.match(added.stdout, /discord:200:300 is now in community Penguin Club/)
      const listed = await cli('community', 'list', '--json')
      assert.equal(listed.code, 0, listed.stderr)
      const rows = JSON.parse(listed.stdout) as { id: string; entities: number; members: number }[]
      assert.deepEqual(
        rows.map((r) => [r.id, r.entities, r.members]),
        [
          ['default', 0, 0],
          ['penguin-club', 1, 0],
        ],
      )
      const storage = await createStorage({ url: env.DATABASE_URL!, cwd: project.dir })
      try {
        await storage.migrate([coreMigrations])
        const audit = await storage.query<{ actor: string; action: string; target_id: string }>(
          sql`select actor, action, target_id from audit_log order by id`,
        )
        assert.deepEqual(
          audit.map((a) => a.action),
          ['community.create', 'community.add_entity'],
        )
        assert.ok(audit.every((a) => a.actor.startsWith('cli:') && a.target_id === 'penguin-club'))
        const entity = await storage.one<{ community_id: string; platform: string }>(
          sql`select community_id, platform from entities where entity_id = 'discord:200:300'`,
        )
        assert.deepEqual({ ...entity }, { community_id: 'penguin-club', platform: 'discord' })
      } finally {
        await storage.close()
      }
    })

    test('bad input: an unknown community exits 2 with one coded line', async () => {
      const r = await cli('community', 'add-entity', 'nope', 'twitch:1:1')
      assert.equal(r.code, 2)
      assert.match(
        r.stderr.trim(),
        /^error WB_COMMUNITY_UNKNOWN: unknown community nope \(see `waddlebot community list`\)$/,
      )
    })
  })
}
