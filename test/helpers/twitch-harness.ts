/**
 * Test support (not used at run time): a router + Twitch collector runtime against the fake Twitch
 * (test/fakes/twitch), on a backend of the matrix, with a test module (`!long`, `!hush`, `!whisper`,
 * follow / raid thanks) and the router's processed events recorded.
 */
import { writeFileSync } from 'node:fs'
import type { ProcessedSummary } from '../../src/contract/stream.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import routerModule from '../../src/modules/router/index.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import type { Logger } from '../../src/runtime/logger.js'
import {
  type FakeEventSubWs,
  type FakeHelix,
  type FakeTwitchIrc,
  startFakeEventSubWs,
  startFakeHelix,
  startFakeTwitchIrc,
} from '../fakes/twitch/index.js'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { writeModule } from './fixture-modules.js'
import { type TestProject, testProject } from './settings.js'

export const BOT = 'waddlebot'
export const TOKEN = 'faketoken123'
export const CLIENT_ID = 'fakeclientid'
export const EVENTSUB_SECRET = 'eventsub-secret-0123456789'

/** A long reply with multi-byte text: emoji, CJK, combining marks. */
export const LONG_TEXT = Array.from(
  { length: 300 },
  (_, i) => ['Grüße', '日本語テキスト', '👨‍👩‍👧‍👦', 'naïve', `cafe\u0301`, 'supercalifragilistic', '🇩🇪', 'word'][i % 8],
).join(' ')

const TEST_MODULE = `
export default {
  name: 'twitchtest', version: '1.0.0', kind: 'interaction', summary: 'twitch test module', port: 8100,
  commands: [
    { name: 'long', summary: 'A long reply', run: () => ${JSON.stringify(LONG_TEXT)} },
    { name: 'hush', summary: 'Moderation', run: () => [{ type: 'moderation', action: 'delete', reason: 'hush' }, { type: 'moderation', action: 'timeout', reason: 'calm down', duration: 60 }, 'Please keep it friendly'] },
    { name: 'whisper', summary: 'Ephemeral', run: () => ({ type: 'chat', text: 'just for you', ephemeral: true }) },
  ],
  events: [
    { name: 'thanks', types: ['follow', 'raid'], run: (ctx) => 'Thanks for the ' + ctx.request.event.type + ', ' + ctx.request.user.name + '!' },
  ],
}
`

export interface TwitchHarness {
  readonly irc: FakeTwitchIrc
  readonly helix: FakeHelix
  readonly eventSub: FakeEventSubWs
  readonly project: TestProject
  readonly runtime: Runtime
  readonly offset: number
  /** Env of the runtime (backend, fakes, secrets, offset). */
  readonly env: Record<string, string>
  readonly processed: ProcessedSummary[]
  readonly eventSubUrl: string
  close(): Promise<void>
}

export interface HarnessOptions {
  readonly channels: readonly string[]
  /** Extra env (e.g. coordination timings, a missing token). */
  readonly env?: Record<string, string>
  /** Modules to host (default router, twitch, twitchtest). */
  readonly modules?: readonly string[]
  /** The user token's scopes at the fake Helix (default: all). */
  readonly scopes?: readonly string[]
  /** The keepalive timeout the fake EventSub WebSocket announces (default: what the client asks). */
  readonly keepaliveSeconds?: number
  /** Webhook mode: public_url is the collector's own URL, and TWITCH_CLIENT_SECRET is set. */
  readonly publicUrl?: boolean
  /** The runtime's logger (default: one at the settings' level on stdout). */
  readonly log?: Logger
}

export async function startTwitchHarness(backend: Backend, options: HarnessOptions): Promise<TwitchHarness> {
  const irc = await startFakeTwitchIrc()
  const eventSub = await startFakeEventSubWs(
    options.keepaliveSeconds ? { keepaliveSeconds: options.keepaliveSeconds } : {},
  )
  const helix = await startFakeHelix({
    clientId: CLIENT_ID,
    token: TOKEN,
    eventSub,
    ...(options.scopes ? { scopes: options.scopes } : {}),
  })
  const offset = await freeOffset([8000, 8002, 8100])
  const env: Record<string, string> = {
    ...(await backend.env()),
    ...twitchRuntimeEnv({ irc, helix, eventSub, offset, channels: options.channels, publicUrl: options.publicUrl }),
    ...options.env,
  }
  const project = testProject({ env })
  const mod = writeModule(project.dir, 'twitchtest', TEST_MODULE)
  writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  twitchtest: {path: ${mod}, port: 8100}\n`)
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  let runtime: Runtime
  try {
    runtime = await startRuntime({
      catalog: builtinCatalog,
      settings,
      modules: options.modules ?? ['router', 'twitch', 'twitchtest'],
      ...(options.log ? { log: options.log } : {}),
    })
  } catch (error) {
    await Promise.allSettled([irc.close(), helix.close(), eventSub.close(), backend.cleanup()])
    project.cleanup()
    throw error
  }
  const processed: ProcessedSummary[] = []
  if (runtime.hosted.some((h) => h.def === routerModule))
    runtime.module(routerModule).ctx.state.pipeline.activity.on('processed', (s) => processed.push(s))
  return {
    irc,
    helix,
    eventSub,
    project,
    runtime,
    offset,
    env,
    processed,
    eventSubUrl: `${runtime.registry.urlOf('twitch')}/twitch/eventsub`,
    async close() {
      await runtime.stop()
      await Promise.allSettled([irc.close(), helix.close(), eventSub.close()])
      await backend.cleanup()
      project.cleanup()
    },
  }
}

/** The env that points a runtime's Twitch collector at the fakes (tokens, URLs, channels, fast joins). */
export function twitchRuntimeEnv(o: {
  irc: { url: string }
  helix: { url: string; authUrl: string }
  eventSub: { url: string }
  offset: number
  channels: readonly string[]
  publicUrl?: boolean | undefined
}): Record<string, string> {
  return {
    WADDLEBOT_PORT_OFFSET: String(o.offset),
    TWITCH_BOT_USERNAME: BOT,
    TWITCH_BOT_TOKEN: TOKEN,
    TWITCH_CLIENT_ID: CLIENT_ID,
    TWITCH_EVENTSUB_SECRET: EVENTSUB_SECRET,
    TWITCH_IRC_URL: o.irc.url,
    TWITCH_API_URL: o.helix.url,
    TWITCH_AUTH_URL: o.helix.authUrl,
    TWITCH_EVENTSUB_WS_URL: o.eventSub.url,
    TWITCH_CHANNELS: o.channels.join(','),
    WADDLEBOT_TWITCH_JOIN_INTERVAL_MS: '0',
    WADDLEBOT_TWITCH_CLAIM_INTERVAL_MS: '200',
    ...(o.publicUrl
      ? {
          WADDLEBOT_TWITCH_PUBLIC_URL: `http://127.0.0.1:${8002 + o.offset}`,
          TWITCH_CLIENT_SECRET: 'fake-client-secret',
        }
      : {}),
  }
}

/** Waits until `check` holds (polling; for state that changes in the background). */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
