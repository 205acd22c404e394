import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { readEnvFile } from '../../src/runtime/env-file.js'
import { type FakeTwitchAuth, startFakeTwitchAuth } from '../fakes/twitch/index.js'
import { BIN, runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const CLIENT_ID = 'cid-cli'
const YAML = '# my bot\nbind: 127.0.0.1\n\ntwitch:\n  enabled: false\n  channels: [] # channels to join\n'

describe('waddlebot auth twitch against a fake id.twitch.tv', () => {
  let auth: FakeTwitchAuth
  let project: TestProject
  let env: Record<string, string>
  before(async () => {
    auth = await startFakeTwitchAuth({ clientId: CLIENT_ID, login: 'waddlebot_bot', autoApprove: true })
    project = testProject({ yaml: YAML })
    env = { TWITCH_AUTH_URL: auth.url, WADDLEBOT_CONFIG: '', WADDLEBOT_LOG_LEVEL: 'silent' }
  })
  after(async () => {
    await auth.close()
    project.cleanup()
  })

  test('shows the URL and code, stores the tokens in .env (0600), the channels in waddlebot.yaml, and no secret in the yaml', async () => {
    const r = await runCli(['auth', 'twitch', '--client-id', CLIENT_ID, '--channels', 'MyChannel,#friend'], {
      cwd: project.dir,
      env,
    })
    assert.equal(r.code, 0, r.stderr)
    assert.match(
      r.stdout,
      /open http:\/\/127\.0\.0\.1:\d+\/activate\?device-code=[0-9A-F]{8} and enter the code [0-9A-F]{8}/,
    )
    assert.match(
      r.stdout,
      /Logged in as waddlebot_bot \(user id 4242\); scopes: chat:read chat:edit user:manage:whispers/,
    )
    const dotenv = readEnvFile(join(project.dir, '.env'))
    assert.equal(dotenv.TWITCH_BOT_TOKEN, auth.issued[0])
    assert.equal(dotenv.TWITCH_BOT_USERNAME, 'waddlebot_bot')
    assert.equal(dotenv.TWITCH_CLIENT_ID, CLIENT_ID)
    assert.ok(dotenv.TWITCH_REFRESH_TOKEN && Number(dotenv.TWITCH_TOKEN_EXPIRES_AT) > Date.now())
    assert.equal(statSync(join(project.dir, '.env')).mode & 0o777, 0o600)
    const yaml = readFileSync(join(project.dir, 'waddlebot.yaml'), 'utf8')
    assert.match(yaml, /^# my bot/)
    assert.match(yaml, /enabled: true/)
    assert.match(yaml, /channels: \[ mychannel, friend \]/)
    assert.ok(!yaml.includes(auth.issued[0]!) && !yaml.includes(dotenv.TWITCH_REFRESH_TOKEN!))
  })

  test('--check refreshes a token Twitch refuses, and saves the new pair', async () => {
    const old = readEnvFile(join(project.dir, '.env'))
    auth.revoke(old.TWITCH_BOT_TOKEN!)
    const r = await runCli(['auth', 'twitch', '--check', '--json'], { cwd: project.dir, env })
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.equal(out.login, 'waddlebot_bot')
    assert.equal(out.refreshed, true)
    const now = readEnvFile(join(project.dir, '.env'))
    assert.equal(now.TWITCH_BOT_TOKEN, auth.issued.at(-1))
    assert.notEqual(now.TWITCH_REFRESH_TOKEN, old.TWITCH_REFRESH_TOKEN)
    const again = await runCli(['auth', 'twitch', '--check', '--json'], { cwd: project.dir, env })
    assert.equal(JSON.parse(again.stdout).refreshed, false, 'a valid token is kept')
  })

  test('the client id can come from stdin; without a terminal and without --channels the channels are left alone', async () => {
    const p = testProject({ yaml: YAML })
    try {
      const r = await runCli(['auth', 'twitch'], { cwd: p.dir, env, input: `${CLIENT_ID}\n` })
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /No channels given/)
      assert.equal(readFileSync(join(p.dir, 'waddlebot.yaml'), 'utf8'), YAML)
      assert.equal(readEnvFile(join(p.dir, '.env')).TWITCH_BOT_TOKEN, auth.issued.at(-1))
    } finally {
      p.cleanup()
    }
  })

  test('a wrong client id and an unreachable Twitch are one-line coded errors', async () => {
    const bad = await runCli(['auth', 'twitch', '--client-id', 'wrong'], { cwd: project.dir, env })
    assert.equal(bad.code, 6)
    assert.equal(
      bad.stderr.trim(),
      'error WB_PLATFORM_AUTH_FAILED: twitch refused the client id: invalid client (copy the value again (whole, no spaces) and rerun `waddlebot auth twitch`)',
    )
    const down = await runCli(['auth', 'twitch', '--client-id', CLIENT_ID], {
      cwd: project.dir,
      env: { ...env, TWITCH_AUTH_URL: 'http://127.0.0.1:9' },
    })
    assert.equal(down.code, 5)
    assert.match(
      down.stderr.trim(),
      /^error WB_PLATFORM_UNREACHABLE: twitch unreachable at http:\/\/127\.0\.0\.1:9: .*\(check the network, or TWITCH_AUTH_URL if it points elsewhere\)$/,
    )
  })
})

test('waddlebot auth twitch: a denied consent stops with WB_OAUTH_DENIED and stores nothing', async () => {
  const auth = await startFakeTwitchAuth({ clientId: CLIENT_ID, interval: 1 })
  const project = testProject({ yaml: YAML })
  try {
    const child = spawn(process.execPath, [BIN, 'auth', 'twitch', '--client-id', CLIENT_ID], {
      cwd: project.dir,
      env: { ...process.env, TWITCH_AUTH_URL: auth.url, WADDLEBOT_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString()
        if (stdout.includes('Waiting for you to authorize')) resolve()
      }),
    )
    auth.deny() // the user clicks "Cancel" on Twitch's page
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    assert.equal(code, 6)
    assert.equal(
      stderr.trim(),
      'error WB_OAUTH_DENIED: twitch authorization was denied (rerun `waddlebot auth twitch` and choose Authorize on the page)',
    )
    assert.ok(auth.calls.filter((c) => c.includes('device_code')).length >= 1)
    assert.throws(() => statSync(join(project.dir, '.env')))
    assert.equal(readFileSync(join(project.dir, 'waddlebot.yaml'), 'utf8'), YAML)
  } finally {
    await auth.close()
    project.cleanup()
  }
})

test('waddlebot auth twitch --check without stored tokens says what to run', async () => {
  const project = testProject({ yaml: '' })
  try {
    writeFileSync(join(project.dir, '.env'), 'TWITCH_CLIENT_ID=x\n')
    const r = await runCli(['auth', 'twitch', '--check'], { cwd: project.dir, env: { WADDLEBOT_CONFIG: '' } })
    assert.equal(r.code, 2)
    assert.match(
      r.stderr,
      /^error WB_INPUT_INVALID: invalid TWITCH_REFRESH_TOKEN: no stored Twitch tokens: run `waddlebot auth twitch` first/,
    )
  } finally {
    project.cleanup()
  }
})
