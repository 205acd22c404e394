/**
 * The runtime: hosts any subset of modules in this process, each on its own port, over one storage and
 * one cache. `waddlebot start` hosts every runnable module; `waddlebot run x y` hosts x and y.
 */
import type { FastifyInstance } from 'fastify'
import { createCache } from './cache/index.js'
import type { Cache } from './cache/types.js'
import { markModuleStopped, registerModule } from './command-table.js'
import type { Settings } from './config.js'
import { WaddleError } from './errors.js'
import { migrateDatabase, openDatabase } from './database.js'
import { closeModuleServer, createModuleServer } from './http.js'
import { createLogger, type Logger } from './logger.js'
import type { ModuleContext, ModuleDefinition, Teardown } from './module.js'
import { httpClient, inProcessClient, type ModuleClient, type ModuleClients } from './module-clients.js'
import { createRegistry, type Registry } from './registry.js'
import { resolveServiceKey } from './service-key.js'
import { coreMigrations } from './storage/core-migrations.js'
import type { MigrationSet, Storage } from './storage/types.js'

export interface RuntimeOptions {
  readonly settings: Settings
  /** Modules to host; every runnable module when omitted. */
  readonly modules?: readonly string[]
  /** Bind the module ports (default true). Tests may use `app.inject` instead. */
  readonly listen?: boolean
  readonly log?: Logger
}

export interface HostedModule {
  readonly def: ModuleDefinition
  readonly ctx: ModuleContext
  readonly app: FastifyInstance
  readonly port: number
  readonly url: string
}

export interface Runtime {
  readonly settings: Settings
  readonly registry: Registry
  readonly storage: Storage
  readonly cache: Cache
  readonly log: Logger
  readonly hosted: readonly HostedModule[]
  readonly clients: ModuleClients
  readonly serviceKey: string
  stop(): Promise<void>
}

const RESERVED = new Set(['enabled', 'url', 'port', 'path', 'replicas'])

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { settings } = options
  const log = options.log ?? createLogger({ level: settings.logLevel })
  const registry = createRegistry(settings)
  const entries = (options.modules ?? registry.runnable().map((e) => e.name)).map((name) => {
    const entry = registry.get(name)
    if (!entry) throw new WaddleError('WB_MODULE_UNKNOWN', { module: name })
    if (!entry.available) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: name })
    return entry
  })
  const defs = await Promise.all(entries.map((e) => e.load()))
  checkCollisions(defs)

  const storage = await openDatabase(settings)
  let cache: Cache | undefined
  const hosted: HostedModule[] = []
  const teardowns = new Map<string, Teardown>()
  try {
    const sharedCache = await createCache({
      redisUrl: settings.redisUrl,
      namespace: settings.redisPrefix,
      onError: (err, context) => log.warn({ err, context }, 'cache error'),
      onRecovered: (downMs) => log.info({ down_ms: downMs }, 'Redis recovered'),
    })
    cache = sharedCache
    const sets: MigrationSet[] = [coreMigrations, ...defs.filter((d) => d.migrations?.length).map((d) => ({ module: d.name, migrations: d.migrations! }))]
    await migrateDatabase(storage, sets)
    const serviceKey = resolveServiceKey(settings)
    const local = new Map<string, ModuleClient>()
    const clients: ModuleClients = {
      get: (name) => local.get(name) ?? httpClient(name, registry.urlOf(name), serviceKey),
      isLocal: (name) => local.has(name),
    }
    const contexts: ModuleContext[] = []
    for (const def of defs) {
      const ctx: ModuleContext = {
        module: def.name,
        config: moduleConfig(def, settings),
        storage,
        cache: sharedCache,
        log: log.child({ module: def.name }),
        settings,
        modules: clients,
      }
      local.set(def.name, inProcessClient(def, ctx))
      contexts.push(ctx)
      await registerModule(storage, def, registry.urlOf(def.name), registry.portOf(def.name))
    }
    // Setup and servers come once every hosted module is registered, so the router sees them all at once.
    for (const [i, def] of defs.entries()) {
      const ctx = contexts[i]!
      const teardown = await def.setup?.(ctx)
      if (teardown) teardowns.set(def.name, teardown)
      const app = await createModuleServer(def, ctx, { serviceKey })
      hosted.push({ def, ctx, app, port: registry.portOf(def.name), url: registry.urlOf(def.name) })
    }
    if (options.listen !== false) {
      for (const h of hosted) await listen(h, settings.bind)
    }
    await sharedCache.publish('commands:changed', { modules: defs.map((d) => d.name) })
    const runtime: Runtime = {
      settings, registry, storage, cache: sharedCache, log, hosted, clients, serviceKey,
      async stop() {
        await stopModules(hosted, teardowns, (err) => log.error({ err }, 'teardown failed'))
        await Promise.allSettled(hosted.map((h) => markModuleStopped(storage, h.def.name)))
        await cache?.close()
        await storage.close()
      },
    }
    return runtime
  } catch (error) {
    await stopModules(hosted, teardowns, () => {})
    for (const [name, t] of teardowns) if (!hosted.some((h) => h.def.name === name)) await Promise.resolve(t()).catch(() => {})
    await cache?.close().catch(() => {})
    await storage.close().catch(() => {})
    throw error
  }
}

/**
 * Stops modules in reverse start order, each one's teardown before its server closes, and the router last:
 * a collector hosted with the router still reaches it over HTTP to release its claims while stopping.
 * The router drains the other way round: its server stops accepting and finishes the requests in flight,
 * then its teardown flushes the execution log they wrote to, then the storage closes.
 */
async function stopModules(hosted: readonly HostedModule[], teardowns: ReadonlyMap<string, Teardown>, onError: (err: unknown) => void): Promise<void> {
  const order = [...hosted].reverse().sort((a, b) => Number(a.def.kind === 'router') - Number(b.def.kind === 'router'))
  for (const h of order) {
    const t = teardowns.get(h.def.name)
    const drainFirst = h.def.kind === 'router'
    if (drainFirst) await closeModuleServer(h.app).catch(onError)
    if (t) await Promise.resolve(t()).catch(onError)
    if (!drainFirst) await closeModuleServer(h.app).catch(onError)
  }
}

async function listen(h: HostedModule, bind: string): Promise<void> {
  if (h.port <= 0) return // a project module without a port is reachable in-process only
  try {
    await h.app.listen({ host: bind, port: h.port })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new WaddleError('WB_PORT_IN_USE', { port: h.port, module: h.def.name }, { cause: error })
    }
    throw error
  }
}

/** Validates `modules.<name>` with the module's schema (reserved keys removed) and freezes it. */
function moduleConfig(def: ModuleDefinition, settings: Settings): Record<string, unknown> {
  const raw = Object.fromEntries(Object.entries(settings.modules[def.name] ?? {}).filter(([k]) => !RESERVED.has(k)))
  if (!def.config) return Object.freeze(raw)
  const parsed = def.config.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new WaddleError('WB_CONFIG_INVALID', {
      key: ['modules', def.name, ...(issue?.path ?? []).map(String)].join('.'),
      reason: issue?.message ?? 'invalid',
      file: settings.configFile ?? 'waddlebot.yaml',
    })
  }
  return Object.freeze(parsed.data as Record<string, unknown>)
}

/** Two hosted modules may not declare the same command or alias. */
function checkCollisions(defs: readonly ModuleDefinition[]): void {
  const owner = new Map<string, string>()
  for (const def of defs) {
    for (const c of def.commands ?? []) {
      for (const word of [c.name, ...(c.aliases ?? [])]) {
        const key = `${c.prefix ?? '!'}${word}`
        const first = owner.get(key)
        if (first && first !== def.name) throw new WaddleError('WB_COMMAND_COLLISION', { command: key, first, second: def.name })
        owner.set(key, def.name)
      }
    }
  }
}
