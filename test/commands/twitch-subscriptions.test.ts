/**
 * `waddlebot twitch subscriptions [--json]` and the Twitch EventSub line of `waddlebot doctor`, run as the
 * real CLI against the fake Helix and token server.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type FakeHelix, type FakeSubscription, startFakeHelix, twitchIdOf } from '../fakes/twitch/index.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const sub = (
  type: string,
  channel: string,
  transport: FakeSubscription['transport'],
  status = 'enabled',
  cost = 0,
): FakeSubscription => ({
  id: `${type}-${channel}-${transport.method}`,
  status,
  type,
  version: type === 'channel.follow' ? '2' : '1',
  cost,
  created_at: '2024-01-01T00:00:00Z',
  transport,
  condition:
    type === 'channel.raid'
      ? { to_broadcaster_user_id: twitchIdOf(channel) }
      : { broadcaster_user_id: twitchIdOf(channel) },
})

describe('waddlebot twitch subscriptions', () => {
  let helix: FakeHelix
  let project: TestProject
  const env = () => ({
    WADDLEBOT_CONFIG: '',
    WADDLEBOT_LOG_LEVEL: 'silent',
    TWITCH_BOT_TOKEN: 'tok',
    TWITCH_CLIENT_ID: 'cid',
    TWITCH_API_URL: helix.url,
    TWITCH_AUTH_URL: helix.authUrl,
    TWITCH_CLIENT_SECRET: 'fake-client-secret',
  })
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['twitch', 'subscriptions', ...args], { cwd: project.dir, env: { ...env(), ...extra } })

  before(async () => {
    helix = await startFakeHelix({ clientId: 'cid', token: 'tok', users: ['chan', 'other'], scopes: ['chat:read'] })
    const ws = { method: 'websocket', session_id: 'session-1' }
    const hook = { method: 'webhook', callback: 'https://bot.example/twitch/eventsub', secret: 'hook-secret-123' }
    helix.subscriptions.push(
      sub('channel.raid', 'chan', ws, 'enabled', 1),
      sub('stream.online', 'chan', ws, 'enabled', 1),
      sub('channel.follow', 'chan', ws, 'websocket_disconnected'),
      sub('channel.raid', 'other', hook, 'webhook_callback_verification_pending', 1),
    )
    project = testProject()
  })
  after(async () => {
    await helix?.close()
    project?.cleanup()
  })

  test('--json: each channel with its subscriptions (type, transport, status, cost), websocket and webhook', async () => {
    const r = await cli(['--json'])
    assert.equal(r.code, 0, r.stderr)
    const report = JSON.parse(r.stdout)
    assert.deepEqual(
      report.channels.map((c: { channel: string }) => c.channel),
      ['chan', 'other'],
    )
    const chan = report.channels[0]
    assert.equal(chan.broadcaster_id, twitchIdOf('chan'))
    assert.deepEqual(
      chan.subscriptions.map((s: { type: string; transport: string; status: string; cost: number }) => [
        s.type,
        s.transport,
        s.status,
        s.cost,
      ]),
      [
        ['channel.follow', 'websocket', 'websocket_disconnected', 0],
        ['channel.raid', 'websocket', 'enabled', 1],
        ['stream.online', 'websocket', 'enabled', 1],
      ],
    )
    assert.deepEqual(
      report.channels[1].subscriptions.map((s: { transport: string; status: string }) => [s.transport, s.status]),
      [['webhook', 'webhook_callback_verification_pending']],
    )
    assert.equal(report.total, 4)
    assert.equal(report.total_cost, 3)
    assert.equal(report.max_total_cost, 10_000)
    const appCalls = helix.calls.filter(
      (c) => c.path === '/eventsub/subscriptions' && c.headers.authorization === 'Bearer app-tok',
    )
    assert.equal(appCalls.length, 1, 'webhook subscriptions are listed with the app token')
  })

  test('text: one row per subscription; without TWITCH_CLIENT_SECRET the webhook ones are left out with a note', async () => {
    const r = await cli([], { TWITCH_CLIENT_SECRET: '' })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^CHANNEL\s+TYPE\s+VERSION\s+TRANSPORT\s+STATUS\s+COST$/m)
    assert.match(r.stdout, /^chan\s+channel\.raid\s+1\s+websocket\s+enabled\s+1$/m)
    assert.doesNotMatch(r.stdout, /^other/m)
    assert.match(r.stdout, /^3 subscription\(s\) · cost 2 of 10000$/m)
    assert.match(r.stdout, /webhook subscriptions not listed: they need an app token \(set TWITCH_CLIENT_SECRET\)/)
  })

  test('missing tokens and a refused token: one-line errors with their exit codes', async () => {
    const missing = await cli([], { TWITCH_CLIENT_ID: '' })
    assert.equal(missing.code, 2)
    assert.equal(
      missing.stderr,
      'error WB_TWITCH_NOT_CONFIGURED: Twitch is not configured: TWITCH_CLIENT_ID not set (set them in the environment or .env (`waddlebot auth twitch` stores the tokens))\n',
    )
    const refused = await cli(['--json'], { TWITCH_BOT_TOKEN: 'wrong' })
    assert.equal(refused.code, 5)
    assert.equal(JSON.parse(refused.stdout).error.code, 'WB_TWITCH_API_FAILED')
    assert.match(JSON.parse(refused.stdout).error.message, /401 Invalid OAuth token/)
  })

  test('--help names the command and its flag', async () => {
    const r = await runCli(['twitch', 'subscriptions', '--help'], { cwd: project.dir, env: env() })
    assert.equal(r.code, 0)
    assert.match(r.stdout, /EventSub subscriptions/)
    assert.match(r.stdout, /--json/)
  })

  test('doctor explains the missing scopes in one line', async () => {
    const r = await runCli(['doctor', '--json'], { cwd: project.dir, env: env() })
    const check = JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'twitch eventsub')
    assert.equal(check.status, 'warn')
    assert.equal(
      check.detail,
      'the token of waddlebot lacks moderator:read:followers (channel.follow); channel:read:subscriptions (channel.subscribe, channel.subscription.gift, channel.subscription.message); bits:read (channel.cheer); channel:read:redemptions or channel:manage:redemptions (channel.channel_points_custom_reward_redemption.add): grant with `waddlebot auth twitch`, or those arrive only where the broadcaster authorized them',
    )
    const bad = await runCli(['doctor', '--json'], { cwd: project.dir, env: { ...env(), TWITCH_BOT_TOKEN: 'expired' } })
    const failed = JSON.parse(bad.stdout).checks.find((c: { name: string }) => c.name === 'twitch eventsub')
    assert.deepEqual(
      [failed.status, failed.detail],
      ['fail', 'Twitch refused TWITCH_BOT_TOKEN (invalid or expired): renew it with `waddlebot auth twitch`'],
    )
    assert.notEqual(bad.code, 0)
  })
})
