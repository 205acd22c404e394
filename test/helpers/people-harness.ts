/**
 * Test support for identity and community: a real runtime hosting the router, the Discord collector (against
 * a fake Discord, so link codes and whispers go out as real DMs), identity (with a manual clock), community,
 * reputation and a small module with limited commands. Twitch and Discord events are posted to the router as their
 * collectors post them.
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { createIdentityModule } from '../../src/modules/identity/index.js'
import routerModule from '../../src/modules/router/index.js'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { collectorReady } from './discord-harness.js'
import { writeModule } from './fixture-modules.js'
import { manualClock } from './host-test-module.js'
import { testProject } from './settings.js'
import { dmChannelId, type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.js'

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies read by tests
type Json = any

/** Commands whose limits and permissions the tests watch. */
export const PEOPLE_TEST_MODULE = `
export default {
  name: 'ptest', version: '1.0.0', kind: 'interaction', summary: 'people test module', port: 8100,
  commands: [
    { name: 'cool', summary: 'A minute cooldown', cooldownMs: 60000, run: () => 'cool ok' },
    { name: 'rl', summary: 'Two a minute', rateLimit: 2, run: () => 'rl ok' },
    { name: 'crowd', summary: 'Three a minute for everyone', entityRateLimit: 3, run: () => 'crowd ok' },
    { name: 'modonly', summary: 'Moderators', permission: 'moderator', run: () => 'mod ok' },
    { name: 'who', summary: 'Identity and community', run: (ctx) => 'who ' + (ctx.request.user.identity_id ?? 'none') + ' ' + ctx.request.entity.community_id },
    { name: 'psst', summary: 'A whisper', run: (ctx) => [{ type: 'whisper', to_user_id: ctx.request.user.id, text: 'psst ' + ctx.request.user.name }] },
  ],
}
`

export interface Person {
  readonly id: string
  readonly name: string
  readonly roles?: readonly string[]
}

export interface PeopleHarness {
  readonly runtime: Runtime
  readonly fake: FakeDiscord
  readonly clock: ReturnType<typeof manualClock>
  readonly serviceKey: string
  /** A chat message on the Twitch channel (`twitch:tw1:tw1`, or `channel`). */
  twitch(message: string, who: Person, channel?: string): Promise<Json>
  /** Any event (follow, …) on a platform's test channel. */
  event(platform: 'twitch' | 'discord', type: string, who: Person): Promise<Json>
  /** A chat message on the Discord channel `discord:200:300`. */
  discord(message: string, who: Person): Promise<Json>
  /** The chat lines of a result, joined by ` | `. */
  lines(result: Json): string
  /** The text of the last DM the bot sent to a Discord user (waits for it). */
  dmTo(userId: string, after?: number): Promise<string>
  /** A request to a hosted module's app with the service key. */
  call(module: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<Json>
  close(): Promise<void>
}

export async function startPeopleHarness(backend: Backend): Promise<PeopleHarness> {
  const fake = await startFakeDiscord({ guilds: [{ id: '200' }] })
  const clock = manualClock(Date.now())
  const offset = await freeOffset([8000, 8003, 8045, 8050, 8055, 8100])
  const serviceKey = `wbot_service_test_${randomBytes(12).toString('hex')}`
  const env: Record<string, string> = {
    ...(await backend.env()),
    WADDLEBOT_PORT_OFFSET: String(offset),
    DISCORD_API_URL: fake.rest.api,
    DISCORD_BOT_TOKEN: 'fake.token',
    DISCORD_CHANNELS: '200/300',
    WADDLEBOT_DISCORD_CLAIM_INTERVAL_MS: '200',
    WADDLEBOT_SERVICE_KEY: serviceKey,
  }
  const project = testProject({ env })
  const dir = writeModule(project.dir, 'ptest', PEOPLE_TEST_MODULE)
  // Only the modules hosted here run: the router must not wait on collectors this test does not start.
  writeFileSync(
    `${project.dir}/waddlebot.yaml`,
    `modules:\n  ptest: {path: ${dir}, port: 8100}\ntwitch: {enabled: false}\nslack: {enabled: false}\n`,
  )
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const identity = createIdentityModule({ now: clock.now })
  const catalog = builtinCatalog.map((m) => (m.name === 'identity' ? { ...m, load: async () => identity } : m))
  let runtime: Runtime
  try {
    runtime = await startRuntime({
      catalog,
      settings,
      modules: ['router', 'discord', 'identity', 'community', 'reputation', 'ptest'],
    })
    await collectorReady(runtime, 1)
  } catch (error) {
    await fake.close()
    project.cleanup()
    throw error
  }
  const app = (name: string) => runtime.hosted.find((h) => h.def.name === name)!.app
  const post = async (event: Record<string, unknown>) => {
    const res = await app('router').inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: event,
      headers: { 'x-service-key': serviceKey },
    })
    if (res.statusCode !== 200) throw new Error(`router answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  const user = (who: Person) => ({
    user_id: who.id,
    user_name: who.name,
    ...(who.roles ? { roles: who.roles } : {}),
  })
  return {
    runtime,
    fake,
    clock,
    serviceKey,
    twitch: (message, who, channel = 'tw1') =>
      post({
        platform: 'twitch',
        server_id: channel,
        channel_id: channel,
        ...user(who),
        message,
        message_type: 'chatMessage',
      }),
    event: (platform, type, who) =>
      post({
        platform,
        ...(platform === 'twitch' ? { server_id: 'tw1', channel_id: 'tw1' } : { server_id: '200', channel_id: '300' }),
        ...user(who),
        message_type: type,
      }),
    discord: (message, who) =>
      post({
        platform: 'discord',
        server_id: '200',
        channel_id: '300',
        ...user(who),
        message,
        message_type: 'chatMessage',
      }),
    lines: (result) =>
      (result.responses as Json[])
        .filter((r) => r.type === 'chat')
        .map((r) => r.text)
        .join(' | '),
    async dmTo(userId, after = 0) {
      const req = await fake.rest.waitFor(
        (r) =>
          r.method === 'POST' &&
          r.path === `/channels/${dmChannelId(userId)}/messages` &&
          fake.rest.requests.indexOf(r) >= after,
      )
      return String(req.json?.content ?? '')
    },
    async call(module, method, url, body) {
      const res = await app(module).inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
        headers: { 'x-service-key': serviceKey },
      })
      return { status: res.statusCode, body: res.body ? res.json() : undefined }
    },
    async close() {
      await runtime.module(routerModule).ctx.state.pipeline.executions.flush()
      await runtime.stop()
      await fake.close()
      await backend.cleanup()
      project.cleanup()
    },
  }
}
