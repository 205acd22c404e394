/**
 * The module registry: the 20 seed modules (a module not built yet is listed as not available, never
 * faked) plus the project's own modules declared in waddlebot.yaml (`modules.<name>.path`).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Settings } from './config.js'
import { WaddleError } from './errors.js'
import type { ModuleDefinition, ModuleKind } from './module.js'
import { SEED_PORTS } from './ports.js'

type Loader = () => Promise<unknown>

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
  load(): Promise<ModuleDefinition>
}

interface SeedInfo {
  readonly kind: ModuleKind
  readonly summary: string
  readonly load?: Loader
}

/** What each seed module is; `load` is present once the module is built. */
const SEED: Record<keyof typeof SEED_PORTS, SeedInfo> = {
  router: { kind: 'router', summary: 'Commands, moderation and responses for every platform', load: async () => (await import('../modules/router/index.js')).default },
  marketplace: { kind: 'core', summary: 'Community module marketplace' },
  twitch: { kind: 'collector', summary: 'Twitch chat, EventSub and Helix', load: async () => (await import('../collectors/twitch/index.js')).default },
  discord: { kind: 'collector', summary: 'Discord gateway, slash commands and REST', load: async () => (await import('../collectors/discord/index.js')).default },
  slack: { kind: 'collector', summary: 'Slack Events API and Socket Mode', load: async () => (await import('../collectors/slack/index.js')).default },
  ai: { kind: 'interaction', summary: 'AI chat responses (Ollama / OpenAI)' },
  alias: { kind: 'interaction', summary: 'Custom command aliases' },
  shoutout: { kind: 'interaction', summary: 'Shoutouts for other streamers' },
  inventory: { kind: 'interaction', summary: 'Item tracking' },
  'youtube-music': { kind: 'interaction', summary: 'YouTube Music song requests', load: async () => (await import('../modules/youtube-music/index.js')).default },
  spotify: { kind: 'interaction', summary: 'Spotify playback and requests', load: async () => (await import('../modules/spotify/index.js')).default },
  'browser-source': { kind: 'core', summary: 'OBS browser-source overlays', load: async () => (await import('../modules/browser-source/index.js')).default },
  calendar: { kind: 'interaction', summary: 'Community event calendar' },
  memories: { kind: 'interaction', summary: 'Quotes, URLs and reminders' },
  labels: { kind: 'core', summary: 'Labels for users and entities' },
  community: { kind: 'core', summary: 'Communities, members and roles' },
  identity: { kind: 'core', summary: 'One identity per person across platforms' },
  reputation: { kind: 'core', summary: 'Points and reputation' },
  hub: { kind: 'hub', summary: 'Web UI: portal, dashboards, admin' },
  'kong-admin-broker': { kind: 'core', summary: 'Kong admin API broker' },
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

export function createRegistry(settings: Settings): Registry {
  const entries: RegistryEntry[] = []
  for (const [name, info] of Object.entries(SEED)) {
    const cfg = settings.modules[name]
    entries.push({
      name,
      kind: info.kind,
      port: SEED_PORTS[name as keyof typeof SEED_PORTS],
      summary: info.summary,
      source: 'seed',
      available: info.load !== undefined,
      // A collector is off when its module or its platform says `enabled: false` (`twitch.enabled: false`).
      enabled: info.load !== undefined && cfg?.enabled !== false && !(info.kind === 'collector' && platformOff(settings, name)),
      load: async () => {
        if (!info.load) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: name })
        return (await info.load()) as ModuleDefinition
      },
    })
  }
  for (const [name, cfg] of Object.entries(settings.modules)) {
    if (name in SEED || !cfg.path) continue
    const path = resolve(settings.projectDir, cfg.path)
    entries.push({
      name,
      kind: 'interaction',
      port: cfg.port ?? 0,
      summary: `project module (${cfg.path})`,
      source: 'project',
      available: true,
      enabled: cfg.enabled !== false,
      path,
      load: () => loadProjectModule(name, path),
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

/** Imports a project module (TypeScript through tsx, or JavaScript) and checks its shape. */
export async function loadProjectModule(name: string, path: string): Promise<ModuleDefinition> {
  const file = ['index.ts', 'index.js', 'index.mjs'].map((f) => join(path, f)).find((f) => existsSync(f))
  if (!file) throw new WaddleError('WB_MODULE_LOAD_FAILED', { module: name, reason: `no index.ts or index.js in ${path}` })
  let def: unknown
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown }
    def = mod.default
  } catch (error) {
    throw new WaddleError('WB_MODULE_LOAD_FAILED', { module: name, reason: (error as Error).message }, { cause: error })
  }
  return checkDefinition(name, def)
}

const KINDS = new Set(['collector', 'router', 'interaction', 'core', 'hub'])

/** Rejects a definition the runtime could not host, naming what is wrong. */
export function checkDefinition(name: string, def: unknown): ModuleDefinition {
  const d = def as Partial<ModuleDefinition> | undefined
  const fail = (reason: string): never => {
    throw new WaddleError('WB_MODULE_INVALID', { module: name, reason })
  }
  if (!d || typeof d !== 'object') return fail('the module file must `export default defineModule({...})`')
  if (d.name !== name) fail(`its name is ${JSON.stringify(d.name)} but waddlebot.yaml calls it ${name}`)
  if (typeof d.version !== 'string') fail('version is missing')
  if (!d.kind || !KINDS.has(d.kind)) fail(`kind must be one of ${[...KINDS].join(', ')}`)
  for (const c of d.commands ?? []) {
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(c.name)) fail(`command name ${JSON.stringify(c.name)} must be a lower-case word`)
    if (typeof c.run !== 'function') fail(`command ${c.name} has no run()`)
  }
  return d as ModuleDefinition
}
