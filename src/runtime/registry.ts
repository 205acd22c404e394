/**
 * The module registry: the built-in modules of a catalog the caller hands in (the CLI passes
 * `builtinCatalog` from src/modules/catalog.ts; the runtime itself imports no module) plus the project's own
 * modules declared in waddlebot.yaml (`modules.<name>.path`). A catalog entry without `load` is a module
 * that is not built yet: listed as not available, never faked.
 */

import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Settings } from './config.js'
import { WaddleError } from './errors.js'
import type { AnyModuleDefinition, ModuleKind } from './module.js'
import { ensureProjectLoader } from './project-loader.js'

/** How a built-in module describes itself (its folder's `manifest.ts`), without loading its code. */
export interface ModuleManifest {
  readonly name: string
  readonly kind: ModuleKind
  /** The documented port (CONTRACT §3); the offset and `bind` apply to it everywhere. */
  readonly port: number
  readonly summary: string
  /** Imports the module's definition; absent while the module is not built. */
  readonly load?: () => Promise<AnyModuleDefinition>
}

/** The built-in modules, in the order `module list` shows them. */
export type Catalog = readonly ModuleManifest[]

export interface RegistryEntry {
  readonly name: string
  readonly kind: ModuleKind
  readonly port: number
  readonly summary: string
  readonly source: 'seed' | 'project'
  readonly available: boolean
  readonly enabled: boolean
  /** The project folder of a project module. */
  readonly path?: string
  load(): Promise<AnyModuleDefinition>
  /**
   * Imports the module's current files again, through a fresh URL (`?wb-reload=<n>`), for `waddlebot dev`
   * and `module reload`. Project modules only; built-in modules are reloaded by a restart.
   */
  reload?(): Promise<AnyModuleDefinition>
}

export interface Registry {
  readonly entries: readonly RegistryEntry[]
  get(name: string): RegistryEntry | undefined
  /** Enabled and available entries, in registry order. */
  runnable(): RegistryEntry[]
  /** The port a module listens on (offset applied). */
  portOf(name: string): number
  /** The base URL a module is reached at: its configured `url`, else bind address + port. */
  urlOf(name: string): string
}

/** Counts fresh imports: each reload gets a URL Node's module cache has never seen. */
let reloads = 0

export function createRegistry(settings: Settings, catalog: Catalog): Registry {
  const entries: RegistryEntry[] = []
  const builtin = new Set<string>()
  for (const m of catalog) {
    builtin.add(m.name)
    const cfg = settings.modules[m.name]
    const load = m.load
    entries.push({
      name: m.name,
      kind: m.kind,
      port: m.port,
      summary: m.summary,
      source: 'seed',
      available: load !== undefined,
      // A collector is off when its module or its platform says `enabled: false` (`twitch.enabled: false`).
      enabled:
        load !== undefined && cfg?.enabled !== false && !(m.kind === 'collector' && platformOff(settings, m.name)),
      load: async () => {
        if (!load) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: m.name })
        const def = await load()
        if (def.name !== m.name || (def.port !== undefined && def.port !== m.port)) {
          throw new WaddleError('WB_MODULE_INVALID', {
            module: m.name,
            reason: 'its definition does not match its manifest (name or port)',
          })
        }
        return def
      },
    })
  }
  for (const [name, cfg] of Object.entries(settings.modules)) {
    if (builtin.has(name) || !(cfg.path || cfg.package)) continue
    // A package module lives in the project's node_modules (`modules.<name>.package`, `waddlebot module add`).
    const path = cfg.path
      ? resolve(settings.projectDir, cfg.path)
      : join(settings.projectDir, 'node_modules', cfg.package!)
    entries.push({
      name,
      kind: 'interaction',
      port: cfg.port ?? 0,
      summary: cfg.path ? `project module (${cfg.path})` : `package module (${cfg.package})`,
      source: 'project',
      available: true,
      enabled: cfg.enabled !== false,
      path,
      load: () => loadProjectModule(name, path),
      reload: () => loadProjectModule(name, path, ++reloads),
    })
  }
  const byName = new Map(entries.map((e) => [e.name, e]))
  const portOf = (name: string): number => {
    const e = byName.get(name)
    if (!e) throw new WaddleError('WB_MODULE_UNKNOWN', { module: name })
    return e.port + settings.portOffset
  }
  return {
    entries,
    get: (name) => byName.get(name),
    runnable: () => entries.filter((e) => e.available && e.enabled),
    portOf,
    urlOf: (name) => settings.modules[name]?.url ?? `http://${hostFor(settings.bind)}:${portOf(name)}`,
  }
}

function platformOff(settings: Settings, name: string): boolean {
  return settings.platforms[name as keyof Settings['platforms']]?.enabled === false
}

function hostFor(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::') return '127.0.0.1'
  return bind.includes(':') ? `[${bind}]` : bind
}

/**
 * Imports a project module (TypeScript through tsx, or JavaScript) and checks its shape. With `reload`, the
 * file URL carries `?wb-reload=<n>`: Node caches modules by URL, so the edited file is read again (the CLI's
 * resolve hook, bin/resolve-hook.mjs, passes the query on to the module's own relative imports).
 */
export async function loadProjectModule(name: string, path: string, reload?: number): Promise<AnyModuleDefinition> {
  return checkDefinition(name, await importModuleExport(name, path, reload))
}

/** The default export of the module folder `path` (its package.json entry, else index.ts/js/mjs), unchecked. */
export async function importModuleExport(name: string, path: string, reload?: number): Promise<unknown> {
  if (!existsSync(path) && path.includes('node_modules'))
    throw new WaddleError('WB_MODULE_LOAD_FAILED', {
      module: name,
      reason: `${path} does not exist (install it: \`waddlebot module add <package>\`)`,
    })
  const file = [packageEntry(path), 'index.ts', 'index.js', 'index.mjs']
    .filter((f): f is string => f !== undefined)
    .map((f) => join(path, f))
    .find((f) => existsSync(f))
  if (!file)
    throw new WaddleError('WB_MODULE_LOAD_FAILED', { module: name, reason: `no index.ts or index.js in ${path}` })
  let def: unknown
  try {
    await ensureProjectLoader()
    const url = pathToFileURL(file).href + (reload === undefined ? '' : `?wb-reload=${reload}`)
    const mod = (await import(url)) as { default?: unknown }
    def = mod.default
  } catch (error) {
    throw new WaddleError('WB_MODULE_LOAD_FAILED', { module: name, reason: loadFailure(error, path) }, { cause: error })
  }
  return def
}

/** The entry a module folder's package.json names (`exports` as a string or `exports['.']`, else `main`). */
function packageEntry(folder: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { exports?: unknown; main?: unknown }
    const dot =
      pkg.exports && typeof pkg.exports === 'object' ? (pkg.exports as Record<string, unknown>)['.'] : pkg.exports
    const entry =
      typeof dot === 'string'
        ? dot
        : dot && typeof dot === 'object'
          ? ((dot as Record<string, unknown>).import ?? (dot as Record<string, unknown>).default)
          : pkg.main
    return typeof entry === 'string' ? entry : undefined
  } catch {
    return undefined
  }
}

const KINDS = new Set(['collector', 'router', 'interaction', 'core', 'hub'])

/** Rejects a definition the runtime could not host, naming what is wrong. */
export function checkDefinition(name: string, def: unknown): AnyModuleDefinition {
  if (!def || typeof def !== 'object') {
    throw new WaddleError('WB_MODULE_INVALID', {
      module: name,
      reason: 'the module file must `export default defineModule({...})`',
    })
  }
  const d = def as Partial<AnyModuleDefinition>
  const fail = (reason: string): never => {
    throw new WaddleError('WB_MODULE_INVALID', { module: name, reason })
  }
  if (d.name !== name) fail(`its name is ${JSON.stringify(d.name)} but waddlebot.yaml calls it ${name}`)
  if (typeof d.version !== 'string') fail('version is missing')
  if (!d.kind || !KINDS.has(d.kind)) fail(`kind must be one of ${[...KINDS].join(', ')}`)
  if (d.setup !== undefined && typeof d.setup !== 'function') fail('setup must be a function')
  if (d.teardown !== undefined && typeof d.teardown !== 'function') fail('teardown must be a function')
  for (const c of d.commands ?? []) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(c.name)) fail(`command name ${JSON.stringify(c.name)} must be a lower-case word`)
    if (typeof c.run !== 'function') fail(`command ${c.name} has no run()`)
  }
  return d as AnyModuleDefinition
}

/**
 * One line for a module that failed to import, with the file and line when known: a compile error names
 * them in its message (`/m/index.ts:3:7: ERROR: …`); an error thrown while loading names them in its stack.
 */
export function loadFailure(error: unknown, folder: string): string {
  const message = (error instanceof Error ? error.message : String(error)).replaceAll(/\?wb-reload=\d+/g, '')
  const lines = message.split('\n').map((l) => l.trim())
  const located = lines.find((l) => l.includes(folder) && /:\d+(:\d+)?/.test(l))
  if (located) return located
  const frame = (error instanceof Error ? (error.stack ?? '') : '')
    .split('\n')
    .map((l) => /\(?((?:file:\/\/)?\/[^()\s]+?:\d+:\d+)\)?$/.exec(l.trim())?.[1])
    .find((f) => f?.replace('file://', '').startsWith(folder))
  const where = frame?.replace('file://', '').replace(/\?wb-reload=\d+/, '')
  return where ? `${lines[0]} (at ${where})` : (lines[0] ?? 'unknown error')
}
