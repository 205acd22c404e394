/**
 * Test support: a real runtime hosting the router, the Discord collector and a small test module, wired
 * to a fake Discord (gateway + REST) and an interactions signer. Used by the Discord tests; other tests
 * may reuse it to get a Discord-connected bot.
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { writeModule } from './fixture-modules.js'
import { testProject } from './settings.js'
import {
  createInteractionSigner,
  type FakeDiscord,
  type FakeGuildSpec,
  startFakeDiscord,
} from '../fakes/discord/index.js'
import type { InteractionSigner } from '../fakes/discord/sign.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import routerModule from '../../src/modules/router/index.js'
import discordModule from '../../src/collectors/discord/index.js'

/** A module with the commands and event handlers the Discord tests drive. */
export const DISCORD_TEST_MODULE = `
export default {
  name: 'dtest', version: '1.0.0', kind: 'interaction', summary: 'discord test module', port: 8100,
  commands: [
    { name: 'say', summary: 'Says its arguments', run: (ctx) => ctx.args.join(' ') || 'nothing' },
    { name: 'long', summary: 'A long multi-byte reply',
      run: () => Array.from({ length: 700 }, (_, i) => ['héllo', 'wörld', '🐧', 'naïve', '👩‍👩‍👧‍👦', 'ÿes'][i % 6]).join(' ') },
    { name: 'whoami', summary: 'Roles', run: (ctx) => 'roles=' + ctx.request.user.roles.join(',') },
    { name: 'mod', summary: 'Moderation', run: (ctx) => [{ type: 'moderation', action: ctx.args[0], reason: 'test ' + ctx.args[0], duration: 60 }] },
    { name: 'sleepy', summary: 'Slower than an interaction may wait', timeoutMs: 10000, run: () => new Promise((r) => setTimeout(() => r('finally awake'), 3500)) },
    { name: 'card', summary: 'Form and media', run: () => [
      { type: 'form', title: 'Profile', fields: [{ label: 'Name', value: 'Ann' }, { label: 'Level', value: 7 }] },
      { type: 'media', media_type: 'audio', title: 'Song', artist: 'Band', art_url: 'https://example.test/art.png' }] },
  ],
  events: [
    { name: 'seen', types: ['member_join', 'member_leave', 'voice_join', 'voice_leave', 'boost', 'reaction'],
      run: (ctx) => 'seen ' + ctx.request.event.type + ' ' + ctx.request.user.name },
  ],
}
`

/** A running router + Discord collector + test module against a fake Discord. */
export interface DiscordHarness {
  readonly fake: FakeDiscord
  readonly signer: InteractionSigner
  readonly runtime: Runtime
  /** Base URL of the collector (port 8003 + offset). */
  readonly url: string
  /** The environment the runtime was started with (DISCORD_*, the service key, the backend). */
  readonly env: Readonly<Record<string, string>>
  /** Posts a body to `/discord/interactions` with the given headers (signed when omitted). */
  interact(body: string, headers?: Record<string, string>): Promise<{ status: number; json: unknown }>
  /** Command executions the router recorded for this exact message (e.g. `!say hi`). */
  executions(message: string): Promise<number>
  close(): Promise<void>
}

/** How startDiscordHarness sets the fake and the runtime up. */
export interface HarnessOptions {
  readonly guilds?: readonly FakeGuildSpec[]
  /** DISCORD_CHANNELS (`guild/channel,…`); default `200/300`. */
  readonly channels?: string
  /** Extra environment (e.g. `WADDLEBOT_DISCORD_INTERACTION_DEADLINE_MS`). */
  readonly env?: Record<string, string>
  /** Leave DISCORD_BOT_TOKEN unset (interactions endpoint only). */
  readonly noToken?: boolean
  /** How many of the channels this collector should hold before the harness is ready (default all; 0 = do not wait). */
  readonly expectClaims?: number
  /** Called with the fake before the runtime starts (e.g. to make Discord refuse the token). */
  readonly onFake?: (fake: FakeDiscord) => void
}

/** Starts the fake Discord and a runtime (router + discord + dtest) on `backend`; resolves once the collector holds every configured channel. */
export async function startDiscordHarness(backend: Backend, options: HarnessOptions = {}): Promise<DiscordHarness> {
  const fake = await startFakeDiscord(options.guilds ? { guilds: options.guilds } : {})
  options.onFake?.(fake)
  const signer = createInteractionSigner()
  const offset = await freeOffset([8000, 8003, 8027, 8100])
  const channels = options.channels ?? '200/300'
  const env: Record<string, string> = {
    ...(await backend.env()),
    WADDLEBOT_PORT_OFFSET: String(offset),
    DISCORD_API_URL: fake.rest.api,
    DISCORD_PUBLIC_KEY: signer.publicKeyHex,
    DISCORD_CHANNELS: channels,
    WADDLEBOT_DISCORD_CLAIM_INTERVAL_MS: '200',
    WADDLEBOT_SERVICE_KEY: `wbot_service_test_${randomBytes(12).toString('hex')}`,
    ...(options.noToken ? {} : { DISCORD_BOT_TOKEN: 'fake.token' }),
    ...options.env,
  }
  const project = testProject({ env })
  const dir = writeModule(project.dir, 'dtest', DISCORD_TEST_MODULE)
  writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  dtest: {path: ${dir}, port: 8100}\n`)
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  let runtime: Runtime
  try {
    runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router', 'discord', 'dtest'] })
  } catch (error) {
    await fake.close()
    project.cleanup()
    throw error
  }
  const discord = runtime.hosted.find((h) => h.def.name === 'discord')!
  const url = discord.url
  const close = async () => {
    await runtime.stop()
    await fake.close()
    await backend.cleanup()
    project.cleanup()
  }
  if (!options.noToken && options.expectClaims !== 0) {
    try {
      await collectorReady(runtime, options.expectClaims ?? channels.split(',').length)
    } catch (error) {
      await close()
      throw error
    }
  }
  return {
    fake,
    signer,
    runtime,
    url,
    env,
    async interact(body, headers = signer.headers(body)) {
      const res = await fetch(`${url}/discord/interactions`, { method: 'POST', headers, body })
      const text = await res.text()
      return { status: res.status, json: text ? JSON.parse(text) : undefined }
    },
    async executions(message) {
      await runtime.module(routerModule).ctx.state.pipeline.executions.flush()
      const row = await runtime.storage.one<{ n: number | string }>(
        sql`select count(*) as n from command_executions where message_content = ${message}`,
      )
      return Number(row?.n ?? 0)
    },
    close,
  }
}

/** Resolves once the Discord collector of `runtime` is connected to the gateway and holds `claims` entities. */
export async function collectorReady(runtime: Runtime, claims: number, timeoutMs = 15_000): Promise<void> {
  const { handle } = runtime.module(discordModule).ctx.state
  const deadline = Date.now() + timeoutMs
  while (!(handle.adapter?.connected() && handle.coordination.held().length >= claims)) {
    if (Date.now() > deadline) {
      throw new Error(
        `discord collector not ready: connected=${handle.adapter?.connected()} claims=${handle.coordination.held().map((e) => e.entity_id)}`,
      )
    }
    await new Promise((r) => setTimeout(r, 25))
  }
}

/**
 * A second Discord collector process (its own runtime, reaching the harness's router over HTTP), as
 * `waddlebot run collector discord` on another machine would be.
 */
export async function startExtraCollector(
  h: DiscordHarness,
  env: Record<string, string> = {},
): Promise<{ runtime: Runtime; close(): Promise<void> }> {
  const offset = await freeOffset([8003])
  const routerUrl = h.runtime.hosted.find((x) => x.def.name === 'router')!.url
  const project = testProject({ env: { ...h.env, WADDLEBOT_PORT_OFFSET: String(offset), ...env } })
  writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  router: {url: '${routerUrl}'}\n`)
  const settings = loadSettings({
    cwd: project.dir,
    env: { ...project.settings.env, ...h.env, WADDLEBOT_PORT_OFFSET: String(offset), ...env },
  })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['discord'] })
  return {
    runtime,
    async close() {
      await runtime.stop()
      project.cleanup()
    },
  }
}
