import { Flags } from '@oclif/core'
import { ensureLib, libIsFresh } from '../../bin/build-lib.mjs'
import { BaseCommand } from '../cli/base-command.js'
import { logFormatFlag, withLogFormat } from '../cli/log-format-flag.js'
import { projectRegistry } from '../cli/registry.js'
import { WaddleError } from '../runtime/errors.js'
import type { Registry } from '../runtime/registry.js'
import { type ChildInfo, createSupervisor, parseReplicas } from '../runtime/supervisor.js'

export default class Up extends BaseCommand<typeof Up> {
  static override summary = 'Supervise every enabled module as its own child process, restarting crashed ones'
  static override description = [
    'Starts one `waddlebot run <module>` process per module (and replica), prefixes their output ([router], [router#2]), restarts a process that exits with exponential backoff (250 ms, doubling up to 10 s; the count resets after 30 s up; gives up on a process after 10 fast consecutive crashes while the others keep running) and stops them all on SIGINT/SIGTERM (SIGTERM, then SIGKILL after 5 s).',
    "Replicas share their module's one port: `--replicas router=3` starts three router processes behind 8000 (Node's cluster module; this process hands each new connection to the next replica), so collectors and the CLI need no load balancer. Collectors are the exception: a platform's webhook must reach the process that claimed the channel, so collector replica N (N ≥ 2) listens at its own port, the offset raised by 1000 × (N − 1) (twitch#2 on 9002), and reaches the other modules at their normal ports. A killed replica is replaced like any crashed process; only the requests on its open connections fail. Every process gets WADDLEBOT_REPLICA (0 for the first; `/health` answers it with its pid) and shares one service key and the database. Without REDIS_URL each replica keeps its own rate limits and cache: `up` warns.",
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --replicas router=2',
    '<%= config.bin %> up --only router,greeter',
  ]
  static override flags = {
    replicas: Flags.string({
      multiple: true,
      description: 'processes per module: <module>=<count> (comma-separated or repeated)',
    }),
    only: Flags.string({ multiple: true, description: 'supervise only these modules (comma-separated or repeated)' }),
    'log-format': logFormatFlag,
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(Up)
    const settings = withLogFormat(this.settings(flags), flags['log-format'])
    const registry = projectRegistry(settings)
    const modules = flags.only ? pickModules(registry, flags.only) : registry.runnable().map((e) => e.name)
    if (modules.length === 0)
      throw new WaddleError('WB_SUPERVISOR_FAILED', { reason: 'no module is enabled (see `waddlebot module list`)' })
    const replicas = parseReplicas(flags.replicas, modules)
    // Built-in modules run from the precompiled lib/ (no tsx loader thread: ≈ 40 MB less per child), rebuilt
    // here when src/ changed; a child (re)started while lib/ is stale, or one hosting a project module, runs
    // through tsx as before. A read-only install that cannot build lib/ runs every child through tsx.
    const lib = await ensureLib()
    if (!lib.ok && ['debug', 'trace'].includes(settings.logLevel))
      this.log(`debug: lib/ could not be built (${lib.reason}); every child runs through tsx`)
    const fresh = freshness()
    const supervisor = createSupervisor({
      settings,
      registry,
      modules,
      replicas,
      // A platform's webhooks must reach the collector holding the channel: collector replicas keep own ports.
      ownPort: (m) => registry.get(m)?.kind === 'collector',
      lean: (child) => lib.ok && registry.get(child.module)?.source === 'seed' && fresh(),
      out: (line) => this.log(line),
    })
    if ([...replicas.values()].some((n) => n > 1) && !settings.redisUrl)
      this.log(
        'warning: replicas without REDIS_URL keep their own cache and rate limits (per-user limits are per process); set REDIS_URL to share them',
      )
    const children = supervisor.children
    this.log(
      `waddlebot up: ${children.length} process${children.length === 1 ? '' : 'es'} in ${settings.projectDir}. Stop with Ctrl-C.`,
    )
    for (const c of children) this.log(`  ${c.label.padEnd(20)} ${urlOf(registry, c, settings.portOffset)}`)

    const failure = await new Promise<string | undefined>((resolve) => {
      const stop = (reason?: string) => supervisor.stop().then(() => resolve(reason))
      process.once('SIGINT', () => stop())
      process.once('SIGTERM', () => stop())
      supervisor.on('giveup', () => {
        if (supervisor.children.every((c) => c.status === 'failed')) stop('every module crashed repeatedly')
      })
      supervisor.start()
    })
    if (failure) throw new WaddleError('WB_SUPERVISOR_FAILED', { reason: failure })
  }
}

/** libIsFresh, walked at most once a second (a start of every child at once needs one walk). */
function freshness(): () => boolean {
  let checked = 0
  let fresh = false
  return () => {
    if (Date.now() - checked > 1000) {
      fresh = libIsFresh()
      checked = Date.now()
    }
    return fresh
  }
}

function pickModules(registry: Registry, only: readonly string[]): string[] {
  const names = [
    ...new Set(
      only
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  for (const name of names) {
    const entry = registry.get(name)
    if (!entry) throw new WaddleError('WB_MODULE_UNKNOWN', { module: name })
    if (!entry.available) throw new WaddleError('WB_MODULE_NOT_AVAILABLE', { module: name })
  }
  return names
}

function urlOf(registry: Registry, child: ChildInfo, baseOffset: number): string {
  const port = registry.get(child.module)?.port ?? 0
  if (port <= 0) return 'in-process only (no port)'
  if (child.shared) return `${registry.urlOf(child.module)} (replica ${child.replica + 1}, shared port)`
  if (child.portOffset === baseOffset) return registry.urlOf(child.module)
  const url = new URL(registry.urlOf(child.module))
  url.port = String(port + child.portOffset)
  return url.origin
}
