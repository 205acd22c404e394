/**
 * The runtime: hosts any subset of modules in this process, each on its own port, over one storage and
 * one cache. `waddlebot start` hosts every runnable module; `waddlebot run x y` hosts x and y.
 */
import type { FastifyInstance } from 'fastify'
import { createCache } from './cache/index.js'
import type { Cache } from './cache/types.js'
import { markModuleStopped, registerModule } from './command-table.js'
import type { Settings } from './config.js'
import { migrateDatabase, openDatabase } from './database.js'
import { WaddleError } from './errors.js'
import { closeModuleServer, createModuleServer } from './http.js'
import { createLogger, type Logger } from './logger.js'
import type { AnyModuleDefinition, ModuleContext, ModuleDefinition, SetupContext } from './module.js'
import { createModuleClients, inProcessClient, type ModuleClient, type ModuleClients } from './module-clients.js'
import { createReloader, reloadRoute } from './module-reload.js'
import { type Catalog, createRegistry, type Registry } from './registry.js'
import { resolveServiceKey } from './service-key.js'
import { coreMigrations } from './storage/core-migrations.js'
import { cacheWriteMarks, withReadRouting } from './storage/read-routing.js'
import type { MigrationSet, Storage } from './storage/types.js'

export interface RuntimeOptions {
  readonly settings: Settings
  /** The built-in modules (the CLI passes `builtinCatalog`); project modules come from the settings. */
  readonly catalog: Catalog
  /** Modules to host; every runnable module when omitted. */
  readonly modules?: readonly string[]
  /** Bind the module ports (default true). Tests may use `app.inject` instead. */
  readonly listen?: boolean
  readonly log?: Logger
}

// biome-ignore lint/suspicious/noExplicitAny: a hosted module of any config and state type
export interface HostedModule<TConfig = any, TState = any> {
  readonly def: ModuleDefinition<TConfig, TState>
  readonly ctx: ModuleContext<TConfig, TState>
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
  /** The hosted instance of `def` (the same definition object), typed by it: its context and state. */
  module<TConfig, TState>(def: ModuleDefinition<TConfig, TState>): HostedModule<TConfig, TState>
  /**
   * Reloads a hosted project module from its files in place (module-reload.ts): the new version is
   * imported and checked first, then the old one torn down and the new one set up, its commands
   * registered. Other modules and platform connections are untouched. Throws WB_MODULE_RELOAD_FAILED, the
   * previous version still running, when the new one cannot be loaded or set up.
   */
  reload(name: string, options?: { settings?: Settings }): Promise<HostedModule>
  stop(): Promise<void>
}

const RESERVED = new Set(['enabled', 'url', 'port', 'path', 'replicas'])

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { settings } = options
  const log = options.log ?? createLogger({ level: settings.logLevel, format: settings.logFormat })
  const registry = createRegistry(settings, options.catalog)
  const entries = (options.modules ?? registry.runnable().map((e) => e.name)).map((name) => {
    const entry = registry.get(name)
    if (!entry) throw new WaddleError('WB_MODULE_UNKNOWN', { module: name })
    if (!entry.available) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: name })
    return entry
  })
  const defs = await Promise.all(entries.map((e) => e.load()))
  checkCollisions(defs)

  let storage = await openDatabase(settings)
  let cache: Cache | undefined
  const hosted: HostedModule[] = []
  /** Set up (teardown due at stop), whether or not its server came up. */
  const started: Pick<HostedModule, 'def' | 'ctx'>[] = []
  try {
    const sharedCache = await createCache({
      redisUrl: settings.redisUrl,
      namespace: settings.redisPrefix,
      onError: (err, context) => log.warn({ err, context }, 'cache error'),
      onRecovered: (downMs) => log.info({ down_ms: downMs }, 'Redis recovered'),
    })
    cache = sharedCache
    // Read-your-writes marks go through the shared cache, so a write in one process routes every process's reads.
    storage = withReadRouting(storage, cacheWriteMarks(sharedCache), settings.database.readUrl !== undefined)
    const sets: MigrationSet[] = [
      coreMigrations,
      ...defs.filter((d) => d.migrations?.length).map((d) => ({ module: d.name, migrations: d.migrations! })),
    ]
    await migrateDatabase(storage, sets)
    const serviceKey = resolveServiceKey(settings)
    const local = new Map<string, ModuleClient>()
    const clients = createModuleClients(registry, serviceKey, local)
    const live = new Map<string, ModuleContext>()
    const setups: SetupContext[] = []
    const reloader = createReloader({
      settings,
      registry,
      storage,
      cache: sharedCache,
      log,
      clients,
      serviceKey,
      local,
      live,
      hosted,
      listen: options.listen !== false,
    })
    for (const def of defs) {
      const ctx: SetupContext = {
        module: def.name,
        config: moduleConfig(def, settings),
        storage,
        cache: sharedCache,
        log: log.child({ module: def.name }),
        settings,
        modules: clients,
      }
      local.set(
        def.name,
        inProcessClient(def, () => {
          const c = live.get(def.name)
          if (!c) throw new WaddleError('WB_MODULE_NOT_READY', { module: def.name })
          return c
        }),
      )
      setups.push(ctx)
      await registerModule(storage, def, registry.urlOf(def.name), registry.portOf(def.name))
    }
    // Setup and servers come once every hosted module is registered, so the router sees them all at once.
    for (const [i, def] of defs.entries()) {
      const setupCtx = setups[i]!
      const state: unknown = def.setup ? await def.setup(setupCtx) : undefined
      const ctx: ModuleContext = { ...setupCtx, state }
      live.set(def.name, ctx)
      started.push({ def, ctx })
      const app = await createModuleServer(def, ctx, {
        serviceKey,
        ...(def.kind === 'router'
          ? { extend: (a: FastifyInstance) => reloadRoute(a, reloader, storage, serviceKey) }
          : {}),
      })
      hosted.push({ def, ctx, app, port: registry.portOf(def.name), url: registry.urlOf(def.name) })
    }
    if (options.listen !== false) {
      for (const h of hosted) await listen(h, settings.bind)
    }
    await sharedCache.publish('commands:changed', { modules: defs.map((d) => d.name) })
    const runtime: Runtime = {
      reload: (name, opts) => reloader.reload(name, opts),
      settings,
      registry,
      storage,
      cache: sharedCache,
      log,
      hosted,
      clients,
      serviceKey,
      module<TConfig, TState>(def: ModuleDefinition<TConfig, TState>): HostedModule<TConfig, TState> {
        const h = hosted.find((x): x is HostedModule<TConfig, TState> => isHostedFor(x, def))
        if (!h) throw new WaddleError('WB_MODULE_UNKNOWN', { module: def.name })
        return h
      },
      async stop() {
        await stopModules(hosted, (err) => log.error({ err }, 'teardown failed'))
        await Promise.allSettled(hosted.map((h) => markModuleStopped(storage, h.def.name)))
        await cache?.close()
        await storage.close()
      },
    }
    return runtime
  } catch (error) {
    await stopModules(hosted, () => {})
    for (const h of started)
      if (!hosted.some((x) => x.def === h.def)) await Promise.resolve(h.def.teardown?.(h.ctx)).catch(() => {})
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
async function stopModules(hosted: readonly HostedModule[], onError: (err: unknown) => void): Promise<void> {
  const order = [...hosted].reverse().sort((a, b) => Number(a.def.kind === 'router') - Number(b.def.kind === 'router'))
  for (const h of order) {
    // The router drains first (stops accepting, finishes in-flight requests), then its teardown flushes the
    // execution log; other modules tear down before their server closes.
    const drainFirst = h.def.kind === 'router'
    if (drainFirst) await closeModuleServer(h.app).catch(onError)
    if (h.def.teardown) await Promise.resolve(h.def.teardown(h.ctx)).catch(onError)
    if (!drainFirst) await closeModuleServer(h.app).catch(onError)
  }
}

export async function listen(h: HostedModule, bind: string): Promise<void> {
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

/** True when `h` hosts exactly `def` (the same object), so its context carries `def`'s config and state. */
function isHostedFor<TConfig, TState>(
  h: HostedModule,
  def: ModuleDefinition<TConfig, TState>,
): h is HostedModule<TConfig, TState> {
  return h.def === def
}

/** Validates `modules.<name>` with the module's schema (reserved keys removed) and freezes it. */
export function moduleConfig(def: AnyModuleDefinition, settings: Settings): Record<string, unknown> {
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
export function checkCollisions(defs: readonly AnyModuleDefinition[]): void {
  const owner = new Map<string, string>()
  for (const def of defs) {
    for (const c of def.commands ?? []) {
      for (const word of [c.name, ...(c.aliases ?? [])]) {
        const key = `${c.prefix ?? '!'}${word}`
        const first = owner.get(key)
        if (first && first !== def.name)
          throw new WaddleError('WB_COMMAND_COLLISION', { command: key, first, second: def.name })
        owner.set(key, def.name)
      }
    }
  }
}
