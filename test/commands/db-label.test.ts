/** `db status` / `db migrate` say which database they act on, never showing a password. */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { databaseLabel } from '../../src/cli/database-label.js'
import { serversUnavailable } from '../helpers/backends.js'
import { freshPostgresUrl } from '../helpers/pg.js'
import { runCli } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-db-label-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const pgSkip = await serversUnavailable()

test('databaseLabel names the file or the server and hides the password', () => {
  assert.equal(databaseLabel('sqlite:/srv/bot/data/waddlebot.db'), 'SQLite /srv/bot/data/waddlebot.db')
  assert.equal(
    databaseLabel('postgres://bot:hunter2@db.local:5432/bot'),
    'Postgres postgres://bot:***@db.local:5432/bot',
  )
  assert.equal(databaseLabel('postgres://bot@db.local/bot'), 'Postgres postgres://bot@db.local/bot')
})

test('SQLite: db migrate and db status print the database first', async () => {
  const env = { WADDLEBOT_CONFIG: '', DATABASE_URL: `sqlite:${join(dir, 'x.db')}` }
  for (const verb of ['migrate', 'status']) {
    const r = await runCli(['db', verb], { cwd: dir, env })
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.split('\n')[0], `Database: SQLite ${join(dir, 'x.db')}`)
  }
})

test('Postgres: the URL is shown with its password hidden', { skip: pgSkip }, async () => {
  const db = await freshPostgresUrl()
  try {
    const withPassword = db.url.replace('postgres://postgres@', 'postgres://postgres:hunter2@')
    const r = await runCli(['db', 'migrate'], { cwd: dir, env: { WADDLEBOT_CONFIG: '', DATABASE_URL: withPassword } })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^Database: Postgres postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/)
    assert.ok(!r.stdout.includes('hunter2'))
  } finally {
    await db.drop?.()
  }
})
