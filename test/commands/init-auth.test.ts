/**
 * Interactive `waddlebot init` on a real terminal (a pty from util-linux `script`): choosing Discord offers
 * `waddlebot auth discord`, whose token prompt does not echo, and the token lands in the project's .env.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startFakeDiscord } from '../fakes/discord/index.js'
import { BIN } from '../helpers/cli.js'

const noScript =
  spawnSync('script', ['--version']).status === 0 ? undefined : 'util-linux `script` (a pty) is not installed'

test('interactive init offers auth for a chosen platform; the token is asked without echo and saved to .env', {
  skip: noScript,
}, async () => {
  const discord = await startFakeDiscord()
  const dir = mkdtempSync(join(tmpdir(), 'wb-init-tty-'))
  try {
    const child = spawn(
      'script',
      ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} init ibot`, '/dev/null'],
      {
        cwd: dir,
        env: { ...process.env, DISCORD_API_URL: discord.rest.api, WADDLEBOT_CONFIG: '' },
      },
    )
    const answers: [RegExp, string][] = [
      [/Storage/, 'sqlite'],
      [/Platforms/, 'discord'],
      [/now \(waddlebot auth discord\)\?/, 'y'],
      [/Bot token/, 'secret.token.value'],
    ]
    let out = ''
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      if (answers[0]?.[0].test(out)) child.stdin.write(`${answers.shift()![1]}\r`)
    })
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    assert.equal(code, 0, out)
    assert.match(out, /Invite the bot to your server/)
    assert.doesNotMatch(out, /secret\.token\.value/, 'the token is not echoed')
    assert.doesNotMatch(out, /waddlebot auth discord +#/, 'no "log in" next step once logged in')
    const dotenv = readFileSync(join(dir, 'ibot', '.env'), 'utf8')
    assert.match(dotenv, /^DISCORD_BOT_TOKEN=secret\.token\.value$/m)
    assert.match(dotenv, /^# Secrets for the ibot bot/, '.env starts from .env.example')
  } finally {
    await discord.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
