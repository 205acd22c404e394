/**
 * `waddlebot deploy compose`: one Compose file with a service per enabled module (the one image, the
 * module chosen by `run <module>`), Postgres, Redis, a one-shot `migrate` service that every module waits
 * for, and Kong behind the `kong` profile. Secrets come from the project's .env (`env_file`, and Compose's
 * own interpolation for the Postgres password and the service key); nothing secret is written here.
 */
import { relative } from 'node:path'
import { type DeployPlan, moduleUrlVar } from './plan.js'

export interface ComposeOptions {
  /** Folder the compose file is written to; paths to the project's files are relative to it. */
  readonly outDir: string
  readonly projectDir: string
  /** Host address the published ports bind to (the project's `bind`). */
  readonly bind: string
}

/** Modules whose port faces the outside (webhooks, overlays, the hub, the router's API). */
const PUBLISHED_KINDS = new Set(['router', 'collector', 'hub'])
const PUBLISHED_MODULES = new Set(['browser-source', 'calendar'])

/** Compose interpolation of a required variable: `${NAME:?set NAME in .env}` (Compose reads .env beside the file). */
function fromDotEnv(name: string): string {
  return `\${${name}:?set ${name} in .env}`
}

export function composeFile(plan: DeployPlan, options: ComposeOptions): Record<string, unknown> {
  const rel = (file: string) => {
    const r = relative(options.outDir, `${options.projectDir}/${file}`)
    return r.startsWith('..') ? r : `./${r}`
  }
  const hostIp = options.bind === '0.0.0.0' || options.bind === '::' ? '' : `${options.bind}:`
  const environment: Record<string, string> = {
    ...plan.env,
    DATABASE_URL: `postgres://waddlebot:\${POSTGRES_PASSWORD}@postgres:5432/waddlebot`,
    REDIS_URL: 'redis://redis:6379',
    WADDLEBOT_SERVICE_KEY: fromDotEnv('WADDLEBOT_SERVICE_KEY'),
    // Kong's admin API for kong-admin-broker, on the Compose network only (never published).
    KONG_ADMIN_URL: 'http://kong:8001',
  }
  for (const m of plan.modules) environment[moduleUrlVar(m.name)] = `http://${m.name}:${m.port}`
  const volumes = plan.configFile ? [`${rel('waddlebot.yaml')}:/bot/waddlebot.yaml:ro`] : []
  const common = { image: plan.image, environment, env_file: [rel('.env')], volumes }

  const services: Record<string, Record<string, unknown>> = {
    postgres: {
      image: 'postgres:16-bookworm',
      environment: {
        POSTGRES_USER: 'waddlebot',
        POSTGRES_DB: 'waddlebot',
        POSTGRES_PASSWORD: fromDotEnv('POSTGRES_PASSWORD'),
      },
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U waddlebot -d waddlebot'], interval: '5s', retries: 12 },
      restart: 'unless-stopped',
    },
    redis: {
      image: 'redis:7-bookworm',
      command: ['redis-server', '--save', '', '--appendonly', 'no'],
      healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', retries: 12 },
      restart: 'unless-stopped',
    },
    // Migrations run once, here, before any module starts (docs/deploy.md#upgrades).
    migrate: {
      ...common,
      command: ['db', 'migrate'],
      depends_on: { postgres: { condition: 'service_healthy' } },
      restart: 'no',
    },
  }
  for (const m of plan.modules) {
    const published = m.replicas === 1 && (PUBLISHED_KINDS.has(m.kind) || PUBLISHED_MODULES.has(m.name))
    services[m.name] = {
      ...common,
      command: ['run', m.name],
      depends_on: {
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      },
      ...(published ? { ports: [`${hostIp}${m.port}:${m.port}`] } : { expose: [String(m.port)] }),
      ...(m.replicas > 1 ? { deploy: { replicas: m.replicas } } : {}),
      restart: 'unless-stopped',
    }
  }
  // Kong in front (docs/kong.md): `waddlebot kong config > kong.yml`, then `docker compose --profile kong up`.
  services.kong = {
    image: 'kong:3.9',
    profiles: ['kong'],
    environment: {
      KONG_DATABASE: 'off',
      KONG_DECLARATIVE_CONFIG: '/kong/kong.yml',
      KONG_PROXY_LISTEN: '0.0.0.0:8000',
      KONG_ADMIN_LISTEN: '0.0.0.0:8001',
    },
    volumes: ['./kong.yml:/kong/kong.yml:ro'],
    ports: [`${hostIp}8088:8000`],
    depends_on: Object.fromEntries(plan.modules.map((m) => [m.name, { condition: 'service_started' }])),
    restart: 'unless-stopped',
  }
  // No top-level `name`: the project is named after its folder (or `docker compose -p NAME`), which keeps the
  // file valid for older Compose releases as well.
  return { services, volumes: { 'postgres-data': {} } }
}
