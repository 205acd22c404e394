import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { stringify } from 'yaml'
import { BaseCommand } from '../../cli/base-command.js'
import { projectRegistry } from '../../cli/registry.js'
import { type KongModule, kongDeclarativeConfig } from '../../modules/kong-admin-broker/public.js'
import { WaddleError } from '../../runtime/errors.js'
import { parseReplicas } from '../../runtime/supervisor.js'

const REPLICA_PORT_STEP = 1000 // replica N ≥ 2 listens 1000 × (N − 1) above the module's port (docs/operators.md)

function origin(value: string): string {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username)
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'hub-origin',
      reason: `must be an origin such as https://hub.example.com, got ${JSON.stringify(value)}`,
    })
  return url.origin
}

export default class KongConfig extends BaseCommand<typeof KongConfig> {
  static override summary = 'Print a Kong declarative configuration (format 3.0, YAML) for the enabled modules'
  static override description =
    'Per enabled module: an upstream (one target per replica), a service, the route /<module> with key-auth, ' +
    '/<module>/health without it, and the open routes of docs/kong.md (overlay pages, platform webhooks). ' +
    'Rate limiting per consumer and CORS for the hub origin apply everywhere. Load it with `kong config db_import` ' +
    'or as KONG_DECLARATIVE_CONFIG (DB-less); the kong-admin-broker then needs Kong with a database.'
  static override examples = [
    '<%= config.bin %> kong config > kong.yaml',
    '<%= config.bin %> kong config --upstream-host bot --replicas router=3 --hub-origin https://hub.example.com',
    "<%= config.bin %> kong config --upstream-host 'wb-{module}' --out kong/kong.yaml",
  ]
  static override flags = {
    out: Flags.string({ description: 'write the YAML to this file instead of stdout' }),
    'hub-origin': Flags.string({
      description: "the hub's origin, allowed by CORS (default: CORS_ORIGIN, else the hub module's URL)",
    }),
    'upstream-host': Flags.string({
      description:
        "host Kong reaches the modules at; {module} is replaced by the module's name (default: each module's URL)",
    }),
    replicas: Flags.string({
      multiple: true,
      description: 'processes per module, as for `waddlebot up`: <module>=<count>',
    }),
    'rate-limit': Flags.integer({ description: 'requests a minute per consumer', default: 600, min: 1 }),
    'rate-limit-redis': Flags.string({
      description: 'host:port of a Redis shared by every Kong node (rate-limiting policy redis; default policy local)',
    }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(KongConfig)
    const settings = this.settings(flags)
    const registry = projectRegistry(settings)
    const enabled = registry.runnable().filter((e) => e.port > 0)
    const replicas = parseReplicas(
      flags.replicas,
      enabled.map((e) => e.name),
    )
    const modules: KongModule[] = enabled.map((e) => {
      const port = registry.portOf(e.name)
      const host = flags['upstream-host']?.replaceAll('{module}', e.name) ?? new URL(registry.urlOf(e.name)).hostname
      const count = replicas.get(e.name) ?? settings.modules[e.name]?.replicas ?? 1
      return {
        name: e.name,
        targets: Array.from({ length: count }, (_, r) => `${host}:${port + r * REPLICA_PORT_STEP}`),
      }
    })
    let redis: { host: string; port: number } | undefined
    if (flags['rate-limit-redis']) {
      const m = /^([^:\s]+):(\d{1,5})$/.exec(flags['rate-limit-redis'])
      if (!m) throw new WaddleError('WB_INPUT_INVALID', { field: 'rate-limit-redis', reason: 'expected host:port' })
      redis = { host: m[1]!, port: Number(m[2]) }
    }
    const hubOrigin = origin(flags['hub-origin'] || settings.env.CORS_ORIGIN || registry.urlOf('hub'))
    const config = kongDeclarativeConfig({
      modules,
      hubOrigin,
      perMinute: flags['rate-limit'],
      policy: redis ? 'redis' : 'local',
      redis,
    })
    const yaml = `# Kong declarative configuration for waddlebot (docs/kong.md), made by \`waddlebot kong config\`\n${stringify(config, { aliasDuplicateObjects: false })}`
    if (!flags.out) return void process.stdout.write(yaml)
    writeFileSync(flags.out, yaml)
    this.log(`Wrote ${flags.out}: ${modules.length} modules, ${modules.length * 2} services.`)
  }
}
