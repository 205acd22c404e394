/**
 * The test kit of waddlebot: `import { testBot } from 'waddlebot/testing'`. It runs the modules under test
 * with the real runtime (the router, its command table, permissions and limits) over an in-memory SQLite
 * database and the in-process cache, and talks to the router the way a chat platform does. No casts, no
 * hand-built contexts:
 *
 * @example
 * const bot = await testBot({ modules: [greeter] })
 * assert.deepEqual(await bot.say('!hello'), ['Hello, Ann!'])
 * await bot.close()
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventResult } from '../contract/router.js'
import type { Platform, Role } from '../contract/events.js'
import type { Response } from '../contract/responses.js'
import { manifest as routerManifest } from '../modules/router/manifest.js'
import { loadSettings, type Settings } from '../runtime/config.js'
import { checkDefinition, type ModuleManifest } from '../runtime/registry.js'
import { type HostedModule, type Runtime, startRuntime } from '../runtime/host.js'
import type { AnyModuleDefinition, ModuleDefinition } from '../runtime/module.js'

export interface TestBotOptions {
  /** The module definitions under test (what their index.ts exports by default). The router always runs. */
  readonly modules: readonly AnyModuleDefinition[]
  /** `modules.<name>` settings, as waddlebot.yaml would give them (validated by each module's schema). */
  readonly config?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  /** Who speaks when `say` is not told otherwise (default: `Ann`, id `u1`, no roles, on `local`). */
  readonly user?: Speaker
  /** Extra environment seen by the modules as `ctx.settings.env` (default: none of this process's). */
  readonly env?: Readonly<Record<string, string>>
  /** Log level of the runtime (default `silent`). */
  readonly logLevel?: Settings['logLevel']
}

/** Who sends a message or event, and where. */
export interface Speaker {
  /** The user name (default `Ann`). */
  readonly name?: string
  /** The platform user id (default `u1`). */
  readonly id?: string
  readonly displayName?: string
  /** Platform roles: `moderator`, `broadcaster`, `subscriber`, `vip`, `admin`, `owner` (default none). */
  readonly roles?: readonly Role[]
  /** Default `local` (the console `waddlebot chat` uses). */
  readonly platform?: Platform
  /** Default `console`. */
  readonly server?: string
  /** Default `main`. */
  readonly channel?: string
}

export interface TestBot {
  /** The chat lines the bot answers `text` with (the `text` of its chat responses; [] when it says nothing). */
  say(text: string, as?: Speaker): Promise<string[]>
  /** The router's whole answer to `text`: outcome (`command`, `forbidden`, `unknown_command`, …) and responses. */
  send(text: string, as?: Speaker): Promise<EventResult>
  /** A platform event (`follow`, `raid`, `subscription`, …) with its metadata; the event handlers' answer. */
  event(type: string, metadata?: Record<string, unknown>, as?: Speaker): Promise<EventResult>
  /** The hosted instance of `def` (one of `options.modules`): its context and `setup`'s state, typed. */
  module<TConfig, TState>(def: ModuleDefinition<TConfig, TState>): HostedModule<TConfig, TState>
  /** The runtime underneath (storage, cache, settings). */
  readonly runtime: Runtime
  /** Tears the modules down and removes the temporary folder. */
  close(): Promise<void>
}

/** Starts the router and `options.modules` in this process, on an in-memory database. */
export async function testBot(options: TestBotOptions): Promise<TestBot> {
  const dir = mkdtempSync(join(tmpdir(), 'waddlebot-testbot-'))
  try {
    const base = loadSettings({
      cwd: dir,
      env: {
        ...options.env,
        DATABASE_URL: 'sqlite::memory:',
        REDIS_URL: '',
        WADDLEBOT_CONFIG: '',
        WADDLEBOT_LOG_LEVEL: options.logLevel ?? 'silent',
        WADDLEBOT_LOG_FORMAT: 'json',
      },
    })
    const defs = options.modules.map((def) => checkDefinition(def?.name, def))
    const modules: Record<string, Settings['modules'][string]> = { router: { enabled: true } }
    for (const def of defs) modules[def.name] = { ...options.config?.[def.name] }
    const settings: Settings = { ...base, modules }
    const catalog: ModuleManifest[] = [
      routerManifest,
      ...defs.map((def) => ({
        name: def.name,
        kind: def.kind,
        port: def.port ?? 0,
        summary: def.summary,
        load: async () => def,
      })),
    ]
    const runtime = await startRuntime({
      settings,
      catalog,
      modules: ['router', ...defs.map((d) => d.name)],
      listen: false,
    })
    return createTestBot(runtime, options.user ?? {}, () => rmSync(dir, { recursive: true, force: true }))
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

function createTestBot(runtime: Runtime, defaults: Speaker, cleanup: () => void): TestBot {
  const router = runtime.hosted.find((h) => h.def.kind === 'router')!.app
  const post = async (body: Record<string, unknown>): Promise<EventResult> => {
    const res = await router.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: body,
      headers: { 'x-service-key': runtime.serviceKey },
    })
    if (res.statusCode !== 200) throw new Error(`the router answered ${res.statusCode}: ${res.body}`)
    return res.json() as EventResult
  }
  const who = (as: Speaker | undefined) => {
    const s = { ...defaults, ...as }
    return {
      platform: s.platform ?? 'local',
      server_id: s.server ?? 'console',
      channel_id: s.channel ?? 'main',
      user_id: s.id ?? 'u1',
      user_name: s.name ?? 'Ann',
      ...(s.displayName ? { display_name: s.displayName } : {}),
      ...(s.roles ? { roles: [...s.roles] } : {}),
    }
  }
  const send = (text: string, as?: Speaker) => post({ ...who(as), message: text, message_type: 'chatMessage' })
  let closed: Promise<void> | undefined
  return {
    runtime,
    send,
    say: async (text, as) => chatLines((await send(text, as)).responses),
    event: (type, metadata, as) => post({ ...who(as), message_type: type, ...(metadata ? { metadata } : {}) }),
    module: (def) => runtime.module(def),
    close() {
      closed ??= runtime.stop().finally(cleanup)
      return closed
    },
  }
}

function chatLines(responses: readonly Response[]): string[] {
  return responses.flatMap((r) => (r.type === 'chat' ? [r.text] : []))
}

export type { EventResult } from '../contract/router.js'
export type { Response } from '../contract/responses.js'
