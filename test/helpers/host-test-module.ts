/**
 * Test support for the music modules (not used at run time): hosts ONE module definition the way the
 * runtime does (storage, cache, migrations, validated config, setup, its fastify server) but with a
 * definition the test built itself, so a test can inject a manual clock and timers. Also builds
 * execution requests and a manual scheduler.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { ExecutionRequest, ExecutionResult } from '../../src/contract/execution.js'
import { createCache } from '../../src/runtime/cache/index.js'
import type { Cache } from '../../src/runtime/cache/types.js'
import { loadSettings, type Settings } from '../../src/runtime/config.js'
import { migrateDatabase, openDatabase } from '../../src/runtime/database.js'
import { executeLocally } from '../../src/runtime/dispatch.js'
import { createModuleServer } from '../../src/runtime/http.js'
import { createLogger } from '../../src/runtime/logger.js'
import type { ModuleContext, ModuleDefinition, SetupContext } from '../../src/runtime/module.js'
import { createModuleClients } from '../../src/runtime/module-clients.js'
import { createRegistry } from '../../src/runtime/registry.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import type { Storage } from '../../src/runtime/storage/types.js'
import type { Scheduler } from '../../src/modules/youtube-music/player.js'

export const SERVICE_KEY = 'test-service-key-music-0123456789'

export interface TestUser {
  readonly id: string
  readonly name: string
  readonly roles?: readonly string[]
}

/** An execution request as the router would send it. */
export function executionRequest(
  command: string,
  args: readonly string[],
  user: TestUser,
  communityId: string,
): ExecutionRequest {
  return {
    execution_id: randomUUID(),
    session_id: randomUUID(),
    command,
    args: [...args],
    raw_message: `${command} ${args.join(' ')}`.trim(),
    trigger: 'command',
    user: { id: user.id, name: user.name, roles: [...(user.roles ?? [])] },
    entity: {
      id: `local:${communityId}:c`,
      platform: 'local',
      server_id: communityId,
      channel_id: 'c',
      community_id: communityId,
    },
  }
}

export interface HostedTestModule<T, S> {
  readonly ctx: ModuleContext<T, S>
  readonly app: FastifyInstance
  readonly storage: Storage
  /** Runs `!command args…` as `user` in `communityId`. */
  run(command: string, args: readonly string[], user: TestUser, communityId: string): Promise<ExecutionResult>
  stop(): Promise<void>
}

/**
 * Hosts `def` on the database/cache of `env` (DATABASE_URL, REDIS_URL; a SQLite file in `projectDir`
 * otherwise). Call again with the same `projectDir` and env to simulate a restart.
 */
export async function hostTestModule<T, S>(
  def: ModuleDefinition<T, S>,
  projectDir: string,
  env: Record<string, string>,
): Promise<HostedTestModule<T, S>> {
  const settings: Settings = loadSettings({
    cwd: projectDir,
    env: { PATH: process.env.PATH, WADDLEBOT_LOG_LEVEL: 'silent', WADDLEBOT_SERVICE_KEY: SERVICE_KEY, ...env },
  })
  const storage = await openDatabase(settings)
  let cache: Cache | undefined
  let ctx: ModuleContext<T, S> | undefined
  let app: FastifyInstance | undefined
  const teardown = async () => {
    if (ctx) await def.teardown?.(ctx)
  }
  try {
    cache = await createCache({ redisUrl: settings.redisUrl, namespace: `wb-test-${randomUUID()}:` })
    await migrateDatabase(storage, [coreMigrations, { module: def.name, migrations: def.migrations ?? [] }])
    const raw = Object.fromEntries(
      Object.entries(settings.modules[def.name] ?? {}).filter(([k]) => !['enabled', 'url', 'port', 'path'].includes(k)),
    )
    const config = def.config ? def.config.parse(raw) : (raw as T)
    const setupCtx: SetupContext<T> = {
      module: def.name,
      config: Object.freeze(config),
      storage,
      cache,
      log: createLogger({ level: 'silent' }),
      settings,
      modules: createModuleClients(createRegistry(settings, builtinCatalog), SERVICE_KEY),
    }
    if (!def.setup) throw new Error(`${def.name} has no setup: host it with startRuntime instead`)
    const hostedCtx: ModuleContext<T, S> = { ...setupCtx, state: await def.setup(setupCtx) }
    ctx = hostedCtx
    app = await createModuleServer(def, hostedCtx, { serviceKey: SERVICE_KEY })
    const hostedApp = app
    const hostedCache = cache
    return {
      ctx: hostedCtx,
      app,
      storage,
      run: (command, args, user, communityId) =>
        executeLocally(def, hostedCtx, executionRequest(command, args, user, communityId)),
      async stop() {
        await hostedApp.close()
        await teardown()
        await hostedCache.close()
        await storage.close()
      },
    }
  } catch (error) {
    await app?.close()
    await teardown()
    await cache?.close()
    await storage.close()
    throw error
  }
}

/** The chat lines of a result. */
export function chatLines(result: ExecutionResult): string[] {
  return result.responses.flatMap((r) => (r.type === 'chat' ? [r.text] : []))
}

/** A clock tests move by hand. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance(ms: number): number } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

/** Timers that fire only when the test says so. */
export interface ManualScheduler extends Scheduler {
  /** Pending (not fired, not cancelled) timers, oldest first. */
  readonly pending: { readonly ms: number; readonly fire: () => Promise<void> }[]
  /** Fires every pending timer (each once) and waits for them. */
  fireAll(): Promise<void>
}

export function manualScheduler(): ManualScheduler {
  const pending: { ms: number; fire: () => Promise<void> }[] = []
  return {
    pending,
    set(fn, ms) {
      const timer = {
        ms,
        fire: () => {
          pending.splice(pending.indexOf(timer), 1)
          return fn()
        },
      }
      pending.push(timer)
      return {
        cancel: () => {
          const i = pending.indexOf(timer)
          if (i >= 0) pending.splice(i, 1)
        },
      }
    },
    async fireAll() {
      for (const t of [...pending]) await t.fire()
    },
  }
}
