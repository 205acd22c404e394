/**
 * The new-user path, for real: `init mybot --yes`, `module new greeter`, the generated test passes,
 * `start`, and `chat` answers !ping, !help and the new module's command.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, test } from 'node:test'
import { exited, freeOffset, REPO, runCli, spawnCli, waitForHealth } from '../helpers/cli.js'

const root = mkdtempSync(join(tmpdir(), 'wb-flow-'))
after(() => rmSync(root, { recursive: true, force: true }))

test('init → module new → generated test → start → chat', async () => {
  const offset = await freeOffset([8000, 8100])
  const env = { WADDLEBOT_PORT_OFFSET: String(offset), DATABASE_URL: '', REDIS_URL: '', WADDLEBOT_SERVICE_KEY: '' }
  const init = await runCli(['init', 'mybot', '--yes'], { cwd: root, env })
  assert.equal(init.code, 0, init.stderr)
  const project = join(root, 'mybot')

  const created = await runCli(['module', 'new', 'greeter'], { cwd: project, env })
  assert.equal(created.code, 0, created.stderr)
  assert.match(readFileSync(join(project, 'waddlebot.yaml'), 'utf8'), /greeter:/)

  const generated = join(project, 'modules', 'greeter', 'greeter.test.ts')
  const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', generated], { cwd: REPO }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
  )
  assert.equal(run.code, 0, run.out)

  // A value import from 'waddlebot' also works in a project module (resolved to this copy of waddlebot).
  const index = join(project, 'modules', 'greeter', 'index.ts')
  writeFileSync(
    index,
    `import { defineModule } from 'waddlebot'\n${readFileSync(index, 'utf8').replace(/export default (\{[\s\S]*\})\s*(satisfies [^\n]*)?\s*$/, 'export default defineModule($1)\n')}`,
  )

  const bot = spawnCli(['start'], { cwd: project, env })
  try {
    await waitForHealth(`http://127.0.0.1:${8000 + offset}`, 30_000, bot)
    const chat = await runCli(['chat', '--user', 'Ann'], { cwd: project, env, input: '!ping\n!help\n!greeter there\n' })
    assert.equal(chat.code, 0, chat.stderr)
    const lines = chat.stdout.trim().split('\n')
    assert.equal(lines[0], 'pong')
    assert.match(lines[1]!, /^Commands: /)
    for (const c of ['!commands', '!greeter', '!help', '!ping']) assert.ok(lines[1]!.includes(c), lines[1])
    assert.match(lines[2]!, /Ann/)
    assert.match(bot.output(), /greeter +http:\/\/127\.0\.0\.1:\d+/)
  } finally {
    bot.kill('SIGTERM')
    assert.equal(await exited(bot), 0)
  }
})
