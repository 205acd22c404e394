/**
 * What `waddlebot deploy` writes, decided once from the project's settings and module registry: which
 * modules run (every enabled, built module: new catalog entries join by themselves), how many replicas,
 * the non-secret environment every container shares (ConfigMap / Compose `environment`) and the names of
 * the secrets (Kubernetes Secret / Compose `env_file`). Nothing secret may end up in the shared part:
 * a secret-looking name or a URL carrying a password is refused with WB_DEPLOY_SECRET_IN_CONFIG.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { SECRET_KEY } from '../../runtime/config-schema.js'
import type { Settings } from '../../runtime/config.js'
import { WaddleError } from '../../runtime/errors.js'
import type { ModuleKind } from '../../runtime/module.js'
import type { Registry } from '../../runtime/registry.js'

export interface DeployModule {
  readonly name: string
  readonly kind: ModuleKind
  /** The documented port (no offset: every module has its own container). */
  readonly port: number
  /** `modules.<name>.replicas`, else 1. */
  readonly replicas: number
}

export interface DeployPlan {
  /** Prefix of every resource name (`--name`, default `waddlebot`). */
  readonly name: string
  readonly image: string
  readonly modules: readonly DeployModule[]
  /** The text of waddlebot.yaml, mounted at /bot/waddlebot.yaml (none: the built-in defaults). */
  readonly configFile: string | undefined
  /** Non-secret environment shared by every container, minus the module URLs (those depend on the target). */
  readonly env: Readonly<Record<string, string>>
  /** Names the Secret / .env must provide. */
  readonly secretNames: readonly string[]
}

export interface PlanOptions {
  readonly name: string
  readonly image: string
}

/** Always secrets in a deployment: where the data lives (URLs carry passwords) and the modules' shared key. */
const BASE_SECRETS = ['DATABASE_URL', 'REDIS_URL', 'WADDLEBOT_SERVICE_KEY']

export function deployPlan(settings: Settings, registry: Registry, options: PlanOptions): DeployPlan {
  const modules = registry.runnable().map((e) => ({
    name: e.name,
    kind: e.kind,
    port: e.port,
    replicas: settings.modules[e.name]?.replicas ?? 1,
  }))
  const configFile = settings.configFile ? readFileSync(settings.configFile, 'utf8') : undefined
  const dotEnvNames = envFileNames(settings.projectDir)
  const env: Record<string, string> = {
    WADDLEBOT_BIND: '0.0.0.0',
    WADDLEBOT_PORT_OFFSET: '0',
    WADDLEBOT_LOG_LEVEL: settings.logLevel,
    WADDLEBOT_LOG_FORMAT: 'json',
  }
  // Module settings given in the environment at deploy time (not in .env, which is the secret store).
  const moduleNames = registry.entries.map((e) => e.name.replaceAll('-', '_').toUpperCase())
  for (const [key, value] of Object.entries(settings.env)) {
    if (value === undefined || dotEnvNames.has(key)) continue
    const m = /^WADDLEBOT_([A-Z0-9_]+)$/.exec(key)
    if (!m || !moduleNames.some((n) => m[1]!.startsWith(`${n}_`)) || /_URL$/.test(key)) continue
    env[key] = value
  }
  refuseSecrets(env, configFile, settings)
  const secretNames = [...new Set([...BASE_SECRETS, ...[...dotEnvNames].filter((n) => !(n in env))])]
  if (settings.database.readUrl) secretNames.splice(1, 0, 'DATABASE_READ_URL')
  return { name: options.name, image: options.image, modules, configFile, env, secretNames }
}

/** The names of the project's `.env` and `.env.example` variables (never their values). */
function envFileNames(projectDir: string): Set<string> {
  const names = new Set<string>()
  for (const file of ['.env.example', '.env']) {
    const path = join(projectDir, file)
    if (!existsSync(path)) continue
    for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
      const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)
      if (m) names.add(m[1]!)
    }
  }
  return names
}

/** A URL with a password in it (`postgres://user:pw@host`, `redis://:pw@host`). */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i

function refuseSecrets(env: Record<string, string>, configFile: string | undefined, settings: Settings): void {
  for (const [key, value] of Object.entries(env)) {
    if (SECRET_KEY.test(key) || URL_WITH_PASSWORD.test(value))
      throw new WaddleError('WB_DEPLOY_SECRET_IN_CONFIG', { key, source: 'the environment' })
  }
  if (configFile === undefined) return
  const key = findSecret(parse(configFile), [])
  if (key) throw new WaddleError('WB_DEPLOY_SECRET_IN_CONFIG', { key, source: settings.configFile ?? 'waddlebot.yaml' })
}

/** A secret-looking key at any depth (objects included), or a string value that is a URL with a password. */
function findSecret(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') return URL_WITH_PASSWORD.test(value) ? path.join('.') : undefined
  if (!value || typeof value !== 'object') return undefined
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEY.test(k)) return [...path, k].join('.')
    const inner = findSecret(v, [...path, k])
    if (inner) return inner
  }
  return undefined
}

/** The environment name of a module's URL setting (`browser-source` → WADDLEBOT_BROWSER_SOURCE_URL). */
export function moduleUrlVar(module: string): string {
  return `WADDLEBOT_${module.replaceAll('-', '_').toUpperCase()}_URL`
}

/** Labels of every resource of one module. */
export function labelsOf(plan: DeployPlan, module?: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'waddlebot',
    'app.kubernetes.io/instance': plan.name,
    ...(module ? { 'app.kubernetes.io/component': module } : {}),
  }
}
