/**
 * Reloading a hosted project module in place (`waddlebot dev`, `waddlebot module reload`): the new version
 * is imported through a fresh URL and checked before anything stops, so a broken edit leaves the previous
 * version answering. Then the old version's teardown runs and its server closes, the new one is set up on
 * the same port, its migrations applied and its commands written to the command table, and the routers
 * are told (`commands:changed`). Other modules and the platform connections are never touched.
 */
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { authenticate, requireKey } from './auth.js'
import type { Cache } from './cache/types.js'
import { registerModule } from './command-table.js'
import type { Settings } from './config.js'
import { migrateDatabase } from './database.js'
import { isWaddleError, WaddleError } from './errors.js'
import { checkCollisions, type HostedModule, listen, moduleConfig } from './host.js'
import { closeModuleServer, createModuleServer } from './http.js'
import type { Logger } from './logger.js'
import type { AnyModuleDefinition, ModuleContext, SetupContext } from './module.js'
import { inProcessClient, type ModuleClient, type ModuleClients } from './module-clients.js'
import type { Registry } from './registry.js'
import type { Storage } from './storage/types.js'

export interface ReloadDeps {
  readonly settings: Settings
  readonly registry: Registry
  readonly storage: Storage
  readonly cache: Cache
  readonly log: Logger
  readonly clients: ModuleClients
  readonly serviceKey: string
  /** The in-process clients of the hosted modules (the router calls them through `clients.get`). */
  readonly local: Map<string, ModuleClient>
  /** The live context of each hosted module, what its in-process client runs with. */
  readonly live: Map<string, ModuleContext>
  /** The runtime's hosted modules; a reload replaces its module's entry in place. */
  readonly hosted: HostedModule[]
  /** Whether the runtime binds the module ports (`RuntimeOptions.listen`). */
  readonly listen: boolean
}

export interface Reloader {
  reload(name: string, options?: { settings?: Settings }): Promise<HostedModule>
}

export function createReloader(deps: ReloadDeps): Reloader {
  /** One reload at a time: a save storm must not interleave two teardowns. */
  let queue: Promise<unknown> = Promise.resolve()
  return {
    reload(name, options) {
      const run = queue.then(() => reloadOne(deps, name, options?.settings ?? deps.settings))
      queue = run.catch(() => {})
      return run
    },
  }
}

const refuse = (module: string, reason: string): never => {
  throw new WaddleError('WB_MODULE_RELOAD_FAILED', { module, reason })
}

async function reloadOne(deps: ReloadDeps, name: string, settings: Settings): Promise<HostedModule> {
  const index = deps.hosted.findIndex((h) => h.def.name === name)
  const entry = deps.registry.get(name)
  if (!entry) throw new WaddleError('WB_MODULE_UNKNOWN', { module: name })
  if (index < 0) refuse(name, 'this process does not host it (restart the process that does)')
  if (!entry.reload) refuse(name, 'it is a built-in module (restart the bot to reload it)')
  const old = deps.hosted[index]!

  // 1. Load and check the new version while the old one keeps answering.
  let def: AnyModuleDefinition
  let config: Record<string, unknown>
  try {
    def = await entry.reload!()
    checkCollisions([...deps.hosted.filter((h) => h.def.name !== name).map((h) => h.def), def])
    config = moduleConfig(def, settings)
    if (def.migrations?.length) await migrateDatabase(deps.storage, [{ module: name, migrations: def.migrations }])
  } catch (error) {
    return refuse(name, reasonOf(error))
  }

  // 2. Swap: the old version's teardown and server go, the new one is set up and served on the same port.
  if (old.def.teardown)
    await Promise.resolve(old.def.teardown(old.ctx)).catch((err: unknown) =>
      deps.log.warn({ err, module: name }, 'teardown failed'),
    )
  await closeModuleServer(old.app, 1000).catch(() => {})
  const setupCtx: SetupContext = { ...old.ctx, config }
  let next: HostedModule
  try {
    next = await startVersion(deps, def, setupCtx, old)
  } catch (error) {
    // The new setup failed: bring the old version back so the module keeps answering.
    deps.log.error({ err: error, module: name }, 'reload failed; restarting the previous version')
    deps.hosted[index] = await startVersion(deps, old.def, old.ctx, old)
    return refuse(name, `its setup failed: ${reasonOf(error)}`)
  }
  deps.hosted[index] = next
  await deps.cache.publish('commands:changed', { modules: [name] })
  return next
}

async function startVersion(
  deps: ReloadDeps,
  def: AnyModuleDefinition,
  setupCtx: SetupContext,
  old: HostedModule,
): Promise<HostedModule> {
  const state: unknown = def.setup ? await def.setup(setupCtx) : undefined
  const ctx: ModuleContext = { ...setupCtx, state }
  const app = await createModuleServer(def, ctx, { serviceKey: deps.serviceKey })
  const hosted: HostedModule = { def, ctx, app, port: old.port, url: old.url }
  // Listen again where the old version listened (nothing when the runtime does not bind ports).
  if (deps.listen) await listen(hosted, deps.settings.bind)
  deps.local.set(
    def.name,
    inProcessClient(def, () => ctx),
  )
  deps.live.set(def.name, ctx)
  await registerModule(deps.storage, def, old.url, old.port)
  return hosted
}

function reasonOf(error: unknown): string {
  if (isWaddleError(error)) {
    const reason = error.params.reason
    const own = error.code === 'WB_MODULE_LOAD_FAILED' || error.code === 'WB_MODULE_INVALID'
    return own && typeof reason === 'string' ? reason : error.message
  }
  return error instanceof Error ? error.message.split('\n')[0]! : String(error)
}

/**
 * `POST /api/v1/modules/:name/reload` on the router's server: reloads a module this process hosts. Admin
 * keys and the service key only, whatever `auth.require_keys` says.
 */
export function reloadRoute(app: FastifyInstance, reloader: Reloader, storage: Storage, serviceKey: string): void {
  const auth = { db: storage, serviceKey, requireKeys: true }
  const label = 'POST /api/v1/modules/:name/reload'
  app.post<{ Params: { name: string } }>(
    '/api/v1/modules/:name/reload',
    { onRequest: requireKey(auth, ['admin'], label) },
    async (req) => {
      await authenticate(req, auth, ['admin'], label)
      const name = z
        .string()
        .regex(/^[a-z][a-z0-9-]*$/)
        .safeParse(req.params.name)
      if (!name.success) throw new WaddleError('WB_INPUT_INVALID', { field: 'name', reason: 'must be a module name' })
      const h = await reloader.reload(name.data)
      return {
        module: h.def.name,
        version: h.def.version,
        commands: (h.def.commands ?? []).map((c) => `${c.prefix ?? '!'}${c.name}`),
      }
    },
  )
}
