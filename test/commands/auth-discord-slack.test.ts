import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { parse } from 'yaml'
import { readEnvFile } from '../../src/runtime/env-file.js'
import { APPLICATION_ID, type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.js'
import { type FakeSlack, startFakeSlack } from '../fakes/slack/web-api.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const BASE_ENV = { WADDLEBOT_CONFIG: '', WADDLEBOT_LOG_LEVEL: 'silent' }

describe('waddlebot auth discord against the fake Discord', () => {
  let discord: FakeDiscord
  let project: TestProject
  let env: Record<string, string>
  before(async () => {
    discord = await startFakeDiscord()
    project = testProject({ yaml: '' })
    env = { ...BASE_ENV, DISCORD_API_URL: discord.rest.api }
  })
  after(async () => {
    await discord.close()
    project.cleanup()
  })

  test('a token piped on stdin is checked, saved to .env, and the invite URL carries exactly the collector permissions', async () => {
    const r = await runCli(['auth', 'discord', '--json'], { cwd: project.dir, env, input: 'Bot good.token\n' })
    assert.equal(r.code, 0, r.stderr)
    const out = JSON.parse(r.stdout)
    assert.deepEqual(out.bot, { id: discord.world.bot.id, username: 'waddlebot' })
    assert.equal(out.application_id, APPLICATION_ID)
    const invite = new URL(out.invite_url)
    assert.equal(invite.pathname, '/oauth2/authorize')
    assert.equal(invite.searchParams.get('client_id'), APPLICATION_ID)
    assert.equal(invite.searchParams.get('scope'), 'bot applications.commands')
    assert.equal(invite.searchParams.get('permissions'), '1374389627908')
    assert.deepEqual(out.permissions, [
      'ViewChannel',
      'SendMessages',
      'SendMessagesInThreads',
      'EmbedLinks',
      'ReadMessageHistory',
      'ManageMessages',
      'ModerateMembers',
      'BanMembers',
    ])
    assert.deepEqual(out.enable_intents, ['MessageContent', 'GuildMembers'])
    assert.equal(readEnvFile(join(project.dir, '.env')).DISCORD_BOT_TOKEN, 'good.token')
    const me = discord.rest.requests.find((q) => q.path === '/users/@me')
    assert.equal(me?.headers.authorization, 'Bot good.token')
  })

  test('says which privileged intents are missing, from the application flags', async () => {
    discord.rest.override((q) =>
      q.path === '/applications/@me' ? { status: 200, body: { id: APPLICATION_ID, flags: 1 << 19 } } : undefined,
    )
    try {
      const r = await runCli(['auth', 'discord', '--token', 'good.token'], { cwd: project.dir, env })
      assert.equal(r.code, 0, r.stderr)
      assert.match(
        r.stdout,
        /Switch on in the Developer Portal → Bot → Privileged Gateway Intents: Server Members Intent\.\n/,
      )
      assert.match(
        r.stdout,
        /Gateway intents used: Guilds, GuildMessages, MessageContent, GuildMembers, GuildVoiceStates, GuildMessageReactions, DirectMessages\./,
      )
    } finally {
      discord.rest.override(undefined)
    }
  })

  test('a bad token is a one-line WB_PLATFORM_AUTH_FAILED and nothing is saved', async () => {
    discord.rest.override((q) =>
      q.headers.authorization === 'Bot good.token'
        ? undefined
        : { status: 401, body: { message: '401: Unauthorized', code: 0 } },
    )
    const p = testProject({ yaml: '' })
    try {
      const r = await runCli(['auth', 'discord'], { cwd: p.dir, env, input: 'bad.token\n' })
      assert.equal(r.code, 6)
      assert.equal(
        r.stderr.trim(),
        'error WB_PLATFORM_AUTH_FAILED: discord refused the bot token: 401: Unauthorized (copy the value again (whole, no spaces) and rerun `waddlebot auth discord`)',
      )
      assert.equal(existsSync(join(p.dir, '.env')), false)
    } finally {
      discord.rest.override(undefined)
      p.cleanup()
    }
  })
})

describe('waddlebot auth slack against the fake Slack', () => {
  let slack: FakeSlack
  let env: Record<string, string>
  const secret = 'a'.repeat(32)
  before(async () => {
    slack = await startFakeSlack({ botToken: 'xoxb-good', appToken: 'xapp-good' })
    env = { ...BASE_ENV, SLACK_API_URL: slack.apiUrl }
  })
  after(() => slack.close())

  test('the manifest takes its request URLs from modules.slack.public_url, with the scopes and events the collector needs', async () => {
    const p = testProject({ yaml: 'modules:\n  slack:\n    public_url: https://bot.example.test/\n' })
    try {
      const r = await runCli(['auth', 'slack', '--manifest-only', '--json'], { cwd: p.dir, env })
      assert.equal(r.code, 0, r.stderr)
      const { manifest, socket_mode } = JSON.parse(r.stdout)
      assert.equal(socket_mode, false)
      assert.equal(manifest.settings.event_subscriptions.request_url, 'https://bot.example.test/slack/events')
      assert.equal(manifest.settings.interactivity.request_url, 'https://bot.example.test/slack/interactions')
      assert.equal(manifest.features.slash_commands[0].url, 'https://bot.example.test/slack/commands')
      assert.equal(manifest.features.slash_commands[0].command, '/waddlebot')
      for (const s of ['chat:write', 'commands', 'users:read', 'im:write', 'channels:history'])
        assert.ok(manifest.oauth_config.scopes.bot.includes(s), s)
      for (const e of ['message.channels', 'app_mention', 'reaction_added', 'member_joined_channel'])
        assert.ok(manifest.settings.event_subscriptions.bot_events.includes(e), e)
      const text = await runCli(['auth', 'slack', '--manifest-only', '--socket-mode'], { cwd: p.dir, env })
      const printed = parse(text.stdout.slice(text.stdout.indexOf('display_information:')))
      assert.equal(printed.settings.socket_mode_enabled, true)
      assert.equal(printed.settings.event_subscriptions.request_url, undefined)
    } finally {
      p.cleanup()
    }
  })

  test('HTTP mode: the bot token and signing secret from stdin are checked with auth.test and saved to .env', async () => {
    const p = testProject({ yaml: '' })
    try {
      const r = await runCli(['auth', 'slack', '--public-url', 'https://bot.example.test', '--json'], {
        cwd: p.dir,
        env,
        input: `xoxb-good\n${secret}\n`,
      })
      assert.equal(r.code, 0, r.stderr)
      const out = JSON.parse(r.stdout)
      assert.deepEqual(out.team, { id: 'T1', name: 'Fake' })
      assert.equal(out.bot.user_id, 'UBOT')
      const dotenv = readEnvFile(join(p.dir, '.env'))
      assert.equal(dotenv.SLACK_BOT_TOKEN, 'xoxb-good')
      assert.equal(dotenv.SLACK_SIGNING_SECRET, secret)
      assert.equal(dotenv.SLACK_APP_TOKEN, undefined)
      assert.equal(slack.callsOf('auth.test').at(-1)?.token, 'xoxb-good')
    } finally {
      p.cleanup()
    }
  })

  test('Socket Mode: the app token is checked with apps.connections.open and saved', async () => {
    const p = testProject({ yaml: '' })
    try {
      const r = await runCli(['auth', 'slack', '--token', 'xoxb-good'], { cwd: p.dir, env, input: 'xapp-good\n' })
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /Socket Mode: no public URL needed/)
      assert.match(r.stdout, /socket_mode_enabled: true/)
      assert.equal(readEnvFile(join(p.dir, '.env')).SLACK_APP_TOKEN, 'xapp-good')
      assert.equal(slack.callsOf('apps.connections.open').at(-1)?.token, 'xapp-good')
    } finally {
      p.cleanup()
    }
  })

  test('a bad bot token or a bad app token is a one-line WB_PLATFORM_AUTH_FAILED; nothing is saved', async () => {
    const p = testProject({ yaml: '' })
    try {
      const bad = await runCli(['auth', 'slack', '--public-url', 'https://bot.example.test'], {
        cwd: p.dir,
        env,
        input: `xoxb-bad\n${secret}\n`,
      })
      assert.equal(bad.code, 6)
      assert.equal(
        bad.stderr.trim(),
        'error WB_PLATFORM_AUTH_FAILED: slack refused the bot token: auth.test: invalid_auth (copy the value again (whole, no spaces) and rerun `waddlebot auth slack`)',
      )
      const badApp = await runCli(['auth', 'slack', '--socket-mode'], {
        cwd: p.dir,
        env,
        input: 'xoxb-good\nxapp-bad\n',
      })
      assert.equal(badApp.code, 6)
      assert.match(
        badApp.stderr,
        /^error WB_PLATFORM_AUTH_FAILED: slack refused the app-level token: apps\.connections\.open: invalid_auth/,
      )
      const notBot = await runCli(['auth', 'slack', '--socket-mode', '--token', 'xoxp-user'], { cwd: p.dir, env })
      assert.equal(notBot.code, 2)
      assert.match(notBot.stderr, /^error WB_INPUT_INVALID: invalid token: a bot token starts with xoxb-/)
      assert.equal(existsSync(join(p.dir, '.env')), false)
      assert.ok(!readFileSync(join(p.dir, 'waddlebot.yaml'), 'utf8').includes('xoxb'))
    } finally {
      p.cleanup()
    }
  })
})
