import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { openStorage } from '../../src/cli/storage-session.js'
import { loadSettings, type Settings } from '../../src/runtime/config.js'
import { sql } from '../../src/runtime/storage/index.js'
import type { Storage } from '../../src/runtime/storage/types.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

for (const [backend, skip] of backends) {
  describe(`waddlebot db backup / db restore on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let env: Record<string, string>
    let settings: Settings
    const cli = (...args: string[]) => runCli(['db', ...args], { cwd: project.dir, env })
    const communities = async (db: Storage) =>
      (
        await db.query<{ id: string; name: string }>(
          sql`select id, name from communities where id <> 'default' order by id`,
        )
      ).map((r) => `${r.id}:${r.name}`)
    const add = (db: Storage, id: string, name: string) =>
      db.execute(sql`insert into communities (id, name, display_name) values (${id}, ${name}, ${name})`)

    before(async () => {
      env = { ...(await backend.env()), WADDLEBOT_CONFIG: '', WADDLEBOT_LOG_LEVEL: 'silent' }
      project = testProject({ env, yaml: '' })
      settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
    })
    after(async () => {
      await backend.cleanup()
      project?.cleanup()
    })

    test('a backup taken while the database is open restores exactly the rows it saw', async () => {
      const file = join(project.dir, 'backup.bin')
      const db = await openStorage(settings)
      try {
        await add(db, 'c1', "before ünïcode 'quoted'")
        const r = await cli('backup', file, '--json')
        assert.equal(r.code, 0, r.stderr)
        const report = JSON.parse(r.stdout)
        assert.equal(report.dialect, backend.name.startsWith('sqlite') ? 'sqlite' : 'postgres')
        assert.ok(report.bytes > 0)
        await add(db, 'c2', 'after')
        await db.execute(sql`delete from communities where id = ${'c1'}`)
        assert.deepEqual(await communities(db), ['c2:after'])
      } finally {
        await db.close() // the bot is stopped before a restore
      }
      const refused = await cli('restore', file)
      assert.equal(refused.code, 2)
      assert.match(
        refused.stderr,
        /^error WB_INPUT_INVALID: invalid yes: restoring replaces the whole database: pass --yes to confirm/,
      )
      const r = await cli('restore', file, '--yes')
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^Restored /)
      assert.ok(!r.stdout.includes('password'), 'no secret printed')
      const again = await openStorage(settings)
      try {
        assert.deepEqual(await communities(again), ["c1:before ünïcode 'quoted'"])
        const migrations = await again.query(sql`select count(*) as n from schema_migrations`)
        assert.ok(Number((migrations[0] as { n: number }).n) > 0, 'migration records restored too')
      } finally {
        await again.close()
      }
    })

    test('an existing target needs --force; a file of the wrong kind is refused before anything changes', async () => {
      const file = join(project.dir, 'backup.bin')
      const exists = await cli('backup', file)
      assert.equal(exists.code, 2)
      assert.match(exists.stderr, /^error WB_FILE_EXISTS: .*backup\.bin already exists/)
      assert.equal((await cli('backup', file, '--force')).code, 0)
      const bogus = join(project.dir, 'bogus.txt')
      writeFileSync(bogus, 'hello\n')
      const bad = await cli('restore', bogus, '--yes')
      assert.equal(bad.code, 4)
      assert.match(
        bad.stderr.trim(),
        /^error WB_DB_RESTORE_FAILED: restore into .* failed: .*bogus\.txt is not a (SQLite backup|Postgres dump) \(restore a file made by/,
      )
      assert.ok(readFileSync(file).length > 0)
    })
  })
}
