/**
 * The shoutout module on each backend, against the fake Helix (users, channels, clips, /chat/shoutouts with
 * Twitch's limits) and a manual clock: `!so` in a Twitch chat (line, card, clip among the top 20 of the last
 * 7 days, Twitch's own /shoutout), cooldowns, refusals, the queue within Twitch's 2-minute and 1-hour limits
 * (and across a restart), a missing scope, auto-shoutouts on raids and first messages, Discord's text
 * shoutout, and the REST API.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type FakeHelix, startFakeHelix, twitchIdOf } from '../../../test/fakes/twitch/index.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import {
  type HostedTestModule,
  hostTestModule,
  manualClock,
  SERVICE_KEY,
} from '../../../test/helpers/host-test-module.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import type { ExecutionRequest, ExecutionResult } from '../../contract/execution.js'
import type { Response } from '../../contract/responses.js'
import { executeLocally } from '../../runtime/dispatch.js'
import { type CommandContext, defineModule } from '../../runtime/module.js'
import { createShoutoutModule, type ShoutoutConfig, type ShoutoutState } from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const DAY = 86_400_000
const MOD = { id: 'mod-1', name: 'modmin', roles: ['moderator'] }

type Def = ReturnType<typeof createShoutoutModule>

for (const [backend, skip] of backends) {
  describe(`shoutout on ${backend.name}`, { skip }, () => {
    const clock = manualClock()
    let helix: FakeHelix
    let project: TestProject
    let env: Record<string, string>
    let def: Def
    let host: HostedTestModule<ShoutoutConfig, ShoutoutState>
    const community = `so-${randomUUID().slice(0, 8)}`
    const channel = 'mychannel'

    const request = (
      command: string,
      args: string[],
      options: { user?: { id: string; name: string; roles: string[] }; platform?: string; event?: string } = {},
    ): ExecutionRequest => {
      const platform = options.platform ?? 'twitch'
      const user = options.user ?? MOD
      return {
        execution_id: randomUUID(),
        session_id: randomUUID(),
        command,
        args,
        raw_message: `${command} ${args.join(' ')}`.trim(),
        trigger: options.event ? 'event' : 'command',
        user: { ...user },
        entity: {
          id: `${platform}:${channel}:${channel}`,
          platform,
          server_id: channel,
          channel_id: channel,
          community_id: community,
        },
        ...(options.event ? { event: { type: options.event, data: {} } } : {}),
      }
    }
    const so = (target: string, options: Parameters<typeof request>[2] = {}) =>
      executeLocally(def, host.ctx, request('!so', [target], options))
    const lines = (r: ExecutionResult) => r.responses.flatMap((x) => (x.type === 'chat' ? [x.text] : []))
    const card = (r: ExecutionResult) =>
      r.responses.find((x): x is Extract<Response, { type: 'general' }> => x.type === 'general')
    /** Runs the module's event handler for `type` as `user` (what the router does for a raid or chat line). */
    const event = async (type: string, user: { id: string; name: string }) => {
      const handler = def.events!.find((h) => h.types.includes(type))!
      const req = request(type === 'raid' ? 'shoutout-auto' : handler.name, [], {
        user: { ...user, roles: [] },
        event: type,
      })
      const ctx: CommandContext<ShoutoutConfig, ShoutoutState> = { ...host.ctx, request: req, args: [] }
      const out = await handler.run(ctx)
      return (Array.isArray(out) ? out : out ? [out] : []) as Response[]
    }
    const api = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
      host.app.inject({
        method,
        url,
        headers: { 'x-service-key': SERVICE_KEY },
        ...(payload === undefined ? {} : { payload: payload as object }),
      })
    const setSettings = async (patch: object) => {
      const res = await api('PUT', `/api/v1/shoutout/${community}/config`, patch)
      assert.equal(res.statusCode, 200, res.body)
    }
    const start = () => {
      def = createShoutoutModule({ now: clock.now, random: () => 0.999, queueTimer: false })
      return hostTestModule(def, project.dir, env)
    }

    before(async () => {
      const now = clock.now()
      helix = await startFakeHelix({
        clientId: 'cid',
        token: 'bot-token',
        now: clock.now,
        users: [channel],
        channels: {
          streamerx: { game_name: 'Celeste', title: 'Any% practice' },
          other_one: { game_name: 'Tetris', title: 'chill' },
        },
        clips: {
          // 25 clips of the last days (views 1…25) and an older, most-viewed one that must never be picked.
          streamerx: [
            ...Array.from({ length: 25 }, (_, i) => ({
              id: `clip-${i + 1}`,
              title: `clip ${i + 1}`,
              view_count: i + 1,
              created_at: now - (i % 6) * DAY,
            })),
            { id: 'clip-old', title: 'old', view_count: 9999, created_at: now - 10 * DAY },
          ],
        },
      })
      helix.creators.missing.add('nobody_here')
      env = {
        ...(await backend.env()),
        TWITCH_CLIENT_ID: 'cid',
        TWITCH_BOT_TOKEN: 'bot-token',
        TWITCH_API_URL: helix.url,
        TWITCH_AUTH_URL: helix.authUrl,
      }
      project = testProject({ env })
      host = await start()
    })
    after(async () => {
      await host?.stop()
      await helix?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test("!so @StreamerX: the game in the chat line, a card with avatar, name, game and a top-20 clip of the last 7 days, and Twitch's /shoutout", async () => {
      const r = await so('@StreamerX')
      assert.equal(r.success, true, r.error)
      assert.deepEqual(lines(r), [
        'Go check out streamerx! They were last seen playing Celeste: https://twitch.tv/streamerx',
      ])
      const c = card(r)!
      assert.match(c.content, /<img class="avatar" src="http:\/\/127\.0\.0\.1:\d+\/clips\/avatar\/streamerx\.png"/)
      assert.match(c.content, /<h2 class="name">streamerx<\/h2>/)
      assert.match(c.content, /Playing Celeste/)
      assert.equal(c.duration, 20)
      // random() = 0.999 picks the 20th of the top 20 by views: views 6 (clips 1…5 and the 10-day-old one are out).
      assert.equal(c.clip?.embed_url, `${helix.creators.clipBase}/embed?clip=clip-6`)
      assert.equal(c.clip?.autoplay, true)
      assert.deepEqual(helix.creators.shoutouts, [
        { from: twitchIdOf(channel), to: twitchIdOf('streamerx'), moderator: twitchIdOf('waddlebot'), at: clock.now() },
      ])
      const clipsCall = helix.calls.find((x) => x.path === '/clips')!
      assert.equal(clipsCall.query.get('first'), '20')
      assert.equal(clipsCall.query.get('started_at'), new Date(clock.now() - 7 * DAY).toISOString())
      const [row] = await host.ctx.state.store.history(community, 1)
      assert.equal(row?.twitch_shoutout, 'sent')
      assert.equal(row?.game, 'Celeste')
      assert.equal(row?.triggered_by, 'modmin')
    })

    test('cooldowns: the same target is refused for 10 min, any target for 10 s; both pass once the time is up', async () => {
      assert.match(lines(await so('streamerx'))[0]!, /^streamerx was shouted out recently; again in 10 min\.$/)
      assert.match(lines(await so('other_one'))[0]!, /^Shoutouts are cooling down; the next one in 10 s\.$/)
      clock.advance(11_000)
      const r = await so('other_one')
      assert.equal(
        lines(r)[0],
        'Go check out other_one! They were last seen playing Tetris: https://twitch.tv/other_one',
      )
      // Twitch allows one shoutout per channel every 2 minutes: this one waits in the queue, and chat is told so.
      assert.match(lines(r)[1]!, /queued: Twitch allows one every 2 minutes .* about 2 min/)
      assert.equal(helix.creators.shoutouts.length, 1)
      clock.advance(60_000)
      assert.equal(await host.ctx.state.queue.drain(), 0, 'not before the 2 minutes are up')
      clock.advance(50_000)
      assert.equal(await host.ctx.state.queue.drain(), 1)
      const [first, second] = helix.creators.shoutouts
      assert.ok(second!.at - first!.at >= 120_000)
      assert.equal(second!.to, twitchIdOf('other_one'))
      assert.equal((await host.ctx.state.store.history(community, 1))[0]?.twitch_shoutout, 'sent')
    })

    test('refusals: yourself, the channel itself, a bad name, an unknown user, a missing argument; one line each', async () => {
      clock.advance(60_000)
      assert.deepEqual(lines(await so('modmin')), ["You can't shout yourself out."])
      assert.deepEqual(lines(await so(channel)), ["That's this channel: no self-shoutouts."])
      assert.deepEqual(lines(await so('waddlebot')), ["I can't shout myself out."])
      assert.deepEqual(lines(await so('x!')), ['"x!" is not a Twitch name (3–25 letters, digits or _).'])
      assert.deepEqual(lines(await so('nobody_here')), ['Twitch knows no user named nobody_here.'])
      assert.deepEqual(lines(await executeLocally(def, host.ctx, request('!so', []))), ['Usage: !so <user>'])
    })

    test("Twitch's 1-hour limit per target: a second /shoutout of the same streamer waits, and survives a restart", async () => {
      await setSettings({ cooldown_target_seconds: 0, cooldown_global_seconds: 0 })
      clock.advance(200_000) // past the channel's 2 minutes; streamerx's last Twitch shoutout is ~6 min old
      const r = await so('streamerx')
      assert.match(lines(r)[1]!, /queued: .* about 5\d min/)
      const sentBefore = helix.creators.shoutouts.length
      await host.stop()
      host = await start() // a restart: the waiting row is in the database
      assert.equal((await host.ctx.state.queue.waiting(community)).length, 1)
      clock.advance(30 * 60_000)
      assert.equal(await host.ctx.state.queue.drain(), 0)
      clock.advance(30 * 60_000)
      assert.equal(await host.ctx.state.queue.drain(), 1)
      assert.equal(helix.creators.shoutouts.length, sentBefore + 1)
      const last = helix.creators.shoutouts.at(-1)!
      const firstToSame = helix.creators.shoutouts.find((s) => s.to === last.to)!
      assert.ok(last.at - firstToSame.at >= 3_600_000)
      assert.equal((await host.ctx.state.queue.waiting(community)).length, 0)
    })

    test("without the moderator:manage:shoutouts scope the chat line still goes out and says why Twitch's /shoutout does not", async () => {
      helix.auth.scopes = helix.auth.scopes.filter((s) => s !== 'moderator:manage:shoutouts')
      host.ctx.state.twitch.forget()
      clock.advance(3 * 60_000)
      try {
        const r = await so('other_one')
        assert.match(lines(r)[0]!, /^Go check out other_one!/)
        assert.match(lines(r)[1]!, /lacks the moderator:manage:shoutouts scope/)
        assert.equal((await host.ctx.state.store.history(community, 1))[0]?.twitch_shoutout, 'no_scope')
      } finally {
        helix.auth.scopes.push('moderator:manage:shoutouts')
        host.ctx.state.twitch.forget()
      }
    })

    test('a raid shouts the raider out once per hour; never the channel itself', async () => {
      clock.advance(3 * 60_000)
      const out = await event('raid', { id: twitchIdOf('raider_z'), name: 'raider_z' })
      assert.equal(
        out[0]?.type === 'chat' && out[0].text,
        'Go check out raider_z! They were last seen playing something new: https://twitch.tv/raider_z',
      )
      assert.ok(out.some((x) => x.type === 'general'))
      assert.equal(helix.creators.shoutouts.at(-1)?.to, twitchIdOf('raider_z'))
      clock.advance(30 * 60_000)
      assert.deepEqual(await event('raid', { id: twitchIdOf('raider_z'), name: 'raider_z' }), [])
      assert.deepEqual(await event('raid', { id: twitchIdOf(channel), name: channel }), [])
      clock.advance(31 * 60_000)
      assert.equal((await event('raid', { id: twitchIdOf('raider_z'), name: 'raider_z' })).length, 2)
      const [row] = await host.ctx.state.store.history(community, 1)
      assert.equal(row?.trigger, 'raid')
    })

    test("a listed creator's first chat message of the stream shouts them out (with their line); later messages do not", async () => {
      const added = await api('POST', `/api/v1/shoutout/${community}/creators`, {
        login: '@Pal_Creator',
        message: 'Best speedruns!',
      })
      assert.equal(added.statusCode, 201, added.body)
      const pal = { id: twitchIdOf('pal_creator'), name: 'pal_creator' }
      assert.deepEqual(await event('chatMessage', pal), [], 'auto_first_message is off by default')
      await setSettings({ auto_first_message: true })
      await event('stream_online', { id: twitchIdOf(channel), name: channel })
      const out = await event('chatMessage', pal)
      assert.equal(
        out[0]?.type === 'chat' && out[0].text,
        'Go check out pal_creator! They were last seen playing something new: https://twitch.tv/pal_creator Best speedruns!',
      )
      assert.deepEqual(await event('chatMessage', pal), [])
      assert.deepEqual(await event('chatMessage', { id: 'x', name: 'not_listed' }), [])
      // The next stream, over an hour later: their first message shouts them out again.
      clock.advance(61 * 60_000)
      assert.deepEqual(await event('chatMessage', pal), [], 'still the same stream')
      await event('stream_online', { id: twitchIdOf(channel), name: channel })
      assert.equal((await event('chatMessage', pal)).length, 2)
      assert.deepEqual(await event('chatMessage', pal), [])
    })

    test('on Discord and Slack: a text shoutout with the profile link, no card, no Twitch /shoutout', async () => {
      await setSettings({ template: 'Shout-out to {name} ({game})!' })
      clock.advance(60_000)
      const r = await so('streamerx', { platform: 'discord' })
      assert.deepEqual(lines(r), ['Shout-out to streamerx (Celeste)! https://twitch.tv/streamerx'])
      assert.equal(card(r), undefined)
      assert.equal((await host.ctx.state.store.history(community, 1))[0]?.twitch_shoutout, 'not_twitch')
      const slack = await so('other_one', { platform: 'slack' })
      assert.deepEqual(lines(slack), ['Shout-out to other_one (Tetris)! https://twitch.tv/other_one'])
      assert.equal(card(slack), undefined)
    })

    test('REST: config, creators, history and stats; bad input answers 400 naming the field', async () => {
      const cfg = (await api('GET', `/api/v1/shoutout/${community}/config`)).json()
      assert.equal(cfg.settings.template, 'Shout-out to {name} ({game})!')
      assert.equal(cfg.settings.auto_raid, true)
      const bad = async (method: 'PUT' | 'POST', path: string, body: unknown, field: string) => {
        const res = await api(method, `/api/v1/shoutout/${community}${path}`, body)
        assert.equal(res.statusCode, 400, res.body)
        assert.equal(res.json().error.code, 'WB_INPUT_INVALID')
        assert.match(res.json().error.message, new RegExp(`invalid ${field}:`))
      }
      await bad('PUT', '/config', { template: 'hi {who}' }, 'template')
      await bad('PUT', '/config', { cooldown_target_seconds: -1 }, 'cooldown_target_seconds')
      await bad('PUT', '/config', { colour: 'red' }, 'colour')
      await bad('POST', '/creators', { login: 'a b' }, 'login')
      await bad('POST', '/creators', { login: 'okname', message: 7 }, 'message')
      const badCommunity = await api('GET', '/api/v1/shoutout/bad%20id/history')
      assert.equal(badCommunity.statusCode, 400)
      assert.match(badCommunity.json().error.message, /invalid community:/)
      const badLimit = await api('GET', `/api/v1/shoutout/${community}/history?limit=0`)
      assert.match(badLimit.json().error.message, /invalid limit:/)
      const noKey = await host.app.inject({ method: 'GET', url: `/api/v1/shoutout/${community}/config` })
      assert.equal(noKey.statusCode, 401)

      const creators = (await api('GET', `/api/v1/shoutout/${community}/creators`)).json().creators
      assert.deepEqual(
        creators.map((c: { login: string; message: string }) => [c.login, c.message]),
        [['pal_creator', 'Best speedruns!']],
      )
      assert.equal((await api('DELETE', `/api/v1/shoutout/${community}/creators/pal_creator`)).statusCode, 200)
      assert.equal((await api('DELETE', `/api/v1/shoutout/${community}/creators/pal_creator`)).statusCode, 404)

      const history = (await api('GET', `/api/v1/shoutout/${community}/history?target=streamerx`)).json().history
      assert.equal(history.length, 3)
      assert.ok(history.every((h: { target_login: string }) => h.target_login === 'streamerx'))
      const stats = (await api('GET', `/api/v1/shoutout/${community}/stats`)).json()
      assert.equal(stats.total, 10)
      assert.deepEqual(stats.by_trigger, { command: 6, raid: 2, first_message: 2 })
      assert.deepEqual(stats.twitch_shoutouts, { sent: 6, queued: 1, no_scope: 1, not_twitch: 2 })
      assert.deepEqual(
        stats.top_targets.map((t: { login: string; count: number }) => [t.login, t.count]),
        [
          ['other_one', 3],
          ['streamerx', 3],
          ['pal_creator', 2],
          ['raider_z', 2],
        ],
      )
      // pal_creator's second first-message shoutout came 1 min after Twitch got their first: it waits for the hour.
      assert.deepEqual(
        stats.twitch_queue.map((q: { target: string }) => q.target),
        ['pal_creator'],
      )
      const health = (await host.app.inject({ method: 'GET', url: '/health' })).json()
      assert.deepEqual(health.detail, { twitch: 'configured', twitch_queue: 1 })
    })

    test('Twitch unreachable, or no Twitch credentials: the shoutout goes out without the details, never an error', async () => {
      const broken = createShoutoutModule({ now: clock.now, queueTimer: false })
      const plain = createShoutoutModule({ now: clock.now, queueTimer: false })
      const down = await hostTestModule(broken, project.dir, { ...env, TWITCH_API_URL: 'http://127.0.0.1:9/helix' })
      const { TWITCH_CLIENT_ID: _id, TWITCH_BOT_TOKEN: _token, ...noTwitch } = env
      const bare = await hostTestModule(plain, project.dir, noTwitch)
      try {
        for (const [def2, host2, target] of [
          [broken, down, 'fresh_one'],
          [plain, bare, 'fresh_two'],
        ] as const) {
          clock.advance(60_000)
          const r = await executeLocally(def2, host2.ctx, request('!so', [target]))
          assert.equal(r.success, true, r.error)
          assert.deepEqual(lines(r), [`Shout-out to ${target} (something new)!`])
          assert.match(card(r)!.content, new RegExp(`<h2 class="name">${target}</h2>`))
          assert.equal(card(r)!.clip, undefined)
          assert.equal((await host2.ctx.state.store.history(community, 1, target))[0]?.twitch_shoutout, 'unavailable')
        }
      } finally {
        await down.stop()
        await bare.stop()
      }
    })

    test("Twitch refuses (the channel is offline): the line still goes out, chat hears Twitch's reason, the history says failed", async () => {
      helix.creators.offline.add(channel)
      clock.advance(2 * 3_600_000)
      try {
        const r = await so('other_one')
        assert.match(lines(r)[0]!, /^Shout-out to other_one \(Tetris\)!$/)
        assert.equal(
          lines(r)[1],
          '(Twitch refused its own /shoutout: 400 The broadcaster is not streaming live or does not have one or more viewers.)',
        )
        assert.equal((await host.ctx.state.store.history(community, 1))[0]?.twitch_shoutout, 'failed')
      } finally {
        helix.creators.offline.delete(channel)
      }
    })
  })
}

// The command is a moderator command: the router refuses it to viewers before the module is called.
test('!so is for moderators and above, with !shoutout as its alias', () => {
  const def = defineModule(createShoutoutModule({ queueTimer: false }))
  const command = def.commands!.find((c) => c.name === 'so')!
  assert.equal(command.permission, 'moderator')
  assert.deepEqual(command.aliases, ['shoutout'])
})
