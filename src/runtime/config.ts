/**
 * Settings: waddlebot.yaml (validated) + environment overrides + .env, resolved once at start.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import { describeIssue } from '../contract/validate.js'
import { type ConfigFile, configSchema, type ModuleSettings, SECRET_KEY } from './config-schema.js'
import { WaddleError } from './errors.js'
import { LOG_FORMATS, type LogFormat } from './log-pretty.js'
import { portOffsetFromEnv } from './ports.js'

export interface Settings {
  /** Folder holding waddlebot.yaml (or the working directory when there is none). */
  readonly projectDir: string
  readonly configFile: string | undefined
  readonly bind: string
  readonly portOffset: number
  readonly dataDir: string
  readonly database: { readonly url: string; readonly readUrl: string | undefined }
  readonly redisUrl: string | undefined
  /** Prefix of every Redis key and channel (default `wb:`): several bots can share one Redis. */
  readonly redisPrefix: string
  readonly requireKeys: boolean
  readonly logLevel: ConfigFile['log']['level']
  /** `auto` (pretty on a terminal, JSON otherwise), `pretty` or `json`: `log.format`, WADDLEBOT_LOG_FORMAT, `--log-format`. */
  readonly logFormat: LogFormat
  /** Per-module settings, file values merged with `WADDLEBOT_<MODULE>_<KEY>` overrides. */
  readonly modules: Readonly<Record<string, ModuleSettings>>
  readonly platforms: Pick<ConfigFile, 'twitch' | 'discord' | 'slack' | 'local'>
  readonly env: NodeJS.ProcessEnv
}

export interface LoadSettingsOptions {
  cwd?: string
  /** Explicit config path (`--config`); else WADDLEBOT_CONFIG; else ./waddlebot.yaml when present. */
  configPath?: string | undefined
  env?: NodeJS.ProcessEnv
}

export const CONFIG_FILE_NAME = 'waddlebot.yaml'

/** Finds, reads, validates and resolves the settings. Throws WaddleError naming the bad key. */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const cwd = options.cwd ?? process.cwd()
  const env = options.env ?? process.env
  const get = (name: string): string | undefined => emptyToUndefined(env[name])
  const explicit = options.configPath ?? get('WADDLEBOT_CONFIG')
  let configFile: string | undefined
  if (explicit) {
    configFile = resolve(cwd, explicit)
    if (!existsSync(configFile)) throw new WaddleError('WB_CONFIG_NOT_FOUND', { file: configFile })
  } else if (existsSync(join(cwd, CONFIG_FILE_NAME))) {
    configFile = join(cwd, CONFIG_FILE_NAME)
  }
  const projectDir = configFile ? resolve(configFile, '..') : cwd
  loadDotEnv(projectDir, env)
  const file = configFile ? readConfigFile(configFile) : configSchema.parse({})
  const dataDir = resolve(projectDir, file.data_dir)
  const defaultDb = `sqlite:${join(dataDir, 'waddlebot.db')}`
  return {
    projectDir,
    configFile,
    bind: get('WADDLEBOT_BIND') ?? file.bind,
    portOffset: get('WADDLEBOT_PORT_OFFSET') ? portOffsetFromEnv(env) : (file.port_offset ?? 0),
    dataDir,
    database: {
      url: resolveDbUrl(get('DATABASE_URL') ?? file.database.url ?? defaultDb, projectDir),
      readUrl: get('DATABASE_READ_URL') ?? file.database.read_url,
    },
    redisUrl: emptyToUndefined(get('REDIS_URL') ?? file.redis.url),
    redisPrefix: get('WADDLEBOT_REDIS_PREFIX') ?? file.redis.prefix,
    requireKeys: get('WADDLEBOT_REQUIRE_KEYS') ? env.WADDLEBOT_REQUIRE_KEYS !== 'false' : file.auth.require_keys,
    logLevel: (get('WADDLEBOT_LOG_LEVEL') as ConfigFile['log']['level'] | undefined) ?? file.log.level,
    logFormat: logFormatOf(get('WADDLEBOT_LOG_FORMAT')) ?? file.log.format,
    modules: applyModuleEnv(file.modules, env),
    platforms: { twitch: file.twitch, discord: file.discord, slack: file.slack, local: file.local },
    env,
  }
}

function readConfigFile(path: string): ConfigFile {
  const doc = parseDocument(readFileSync(path, 'utf8'))
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!
    throw new WaddleError('WB_CONFIG_INVALID', {
      key: `line ${e.linePos?.[0]?.line ?? '?'}`,
      reason: e.message.split('\n')[0] ?? 'YAML syntax error',
      file: path,
    })
  }
  const raw: unknown = doc.toJS() ?? {}
  const secret = findSecretKey(raw, [])
  if (secret) throw new WaddleError('WB_CONFIG_SECRET_IN_FILE', { key: secret, file: path })
  const parsed = configSchema.safeParse(raw)
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    const issue = parsed.error.issues[0]
    const key =
      issue?.code === 'unrecognized_keys'
        ? [field === 'body' ? '' : field, issue.keys[0]].filter(Boolean).join('.')
        : field
    throw new WaddleError('WB_CONFIG_INVALID', { key, reason: message, file: path })
  }
  return parsed.data
}

function findSecretKey(value: unknown, path: string[]): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k) && typeof v !== 'object') return [...path, k].join('.')
    const inner = findSecretKey(v, [...path, k])
    if (inner) return inner
  }
  return undefined
}

/** `WADDLEBOT_<MODULE>_<KEY>=v` → modules.<module>.<key> (module dashes as underscores; values parsed as YAML scalars). */
function applyModuleEnv(
  modules: Record<string, ModuleSettings>,
  env: NodeJS.ProcessEnv,
): Record<string, ModuleSettings> {
  const out: Record<string, ModuleSettings> = structuredClone(modules)
  const reserved = new Set([
    'CONFIG',
    'PORT_OFFSET',
    'BIND',
    'REQUIRE_KEYS',
    'LOG_LEVEL',
    'SERVICE_KEY',
    'API_KEY',
    'REPLICA',
  ])
  for (const [name, value] of Object.entries(env)) {
    const m = /^WADDLEBOT_([A-Z0-9_]+)$/.exec(name)
    if (!m || value === undefined || reserved.has(m[1]!)) continue
    const rest = m[1]!.toLowerCase()
    const moduleName = Object.keys(out)
      .concat(KNOWN_MODULE_PREFIXES)
      .find((mod) => rest.startsWith(`${mod.replaceAll('-', '_')}_`))
    if (!moduleName) continue
    const key = rest.slice(moduleName.length + 1)
    out[moduleName] = { ...out[moduleName], [key]: parseScalar(value) }
  }
  return out
}

/** Seed module names, longest first so `youtube_music_x` is not read as `youtube…`. */
const KNOWN_MODULE_PREFIXES = [
  'kong-admin-broker',
  'browser-source',
  'youtube-music',
  'marketplace',
  'reputation',
  'community',
  'inventory',
  'identity',
  'shoutout',
  'calendar',
  'memories',
  'spotify',
  'discord',
  'twitch',
  'router',
  'labels',
  'alias',
  'slack',
  'hub',
  'ai',
]

function parseScalar(v: string): unknown {
  if (v === 'true') return true
  if (v === 'false') return false
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v)
  return v
}

function resolveDbUrl(url: string, projectDir: string): string {
  const m = /^sqlite:(.*)$/.exec(url)
  if (!m || m[1] === ':memory:' || isAbsolute(m[1]!)) return url
  return `sqlite:${resolve(projectDir, m[1]!)}`
}

function emptyToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}

/** Loads `.env` of the project without overriding variables already set. */
function loadDotEnv(dir: string, env: NodeJS.ProcessEnv): void {
  const path = join(dir, '.env')
  if (!existsSync(path)) return
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line)
    if (!m || env[m[1]!] !== undefined) continue
    env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2')
  }
}

/** WADDLEBOT_LOG_FORMAT, checked: a wrong value is a config error naming the variable. */
function logFormatOf(value: string | undefined): LogFormat | undefined {
  if (value === undefined) return undefined
  if ((LOG_FORMATS as readonly string[]).includes(value)) return value as LogFormat
  throw new WaddleError('WB_CONFIG_INVALID', {
    key: 'WADDLEBOT_LOG_FORMAT',
    reason: `must be one of ${LOG_FORMATS.join(', ')} (got "${value}")`,
    file: 'the environment or .env',
  })
}
