/**
 * The supervisor behind `waddlebot up`: one child process per (module, replica), each running
 * `waddlebot run <module>` (for a built-in module, the same from the precompiled lib/ when the caller
 * allows: `lean`); their output prefixed line by line (`[router]`, `[router#2]`); a child that exits
 * unexpectedly restarted with exponential backoff; everything stopped by `stop()` (SIGTERM, then SIGKILL
 * after a grace period). Children also watch their parent, so a supervisor killed with SIGKILL
 * leaves no orphan behind.
 *
 * Replicas share their module's one port (collectors excepted: see planChildren): a module run with more
 * than one replica is forked through Node's cluster module, this process being the cluster primary. The primary owns the listening socket and
 * shares it with the replicas, which accept from it themselves (SCHED_NONE); Node 20 has no SO_REUSEPORT (`reusePort` came in
 * Node 22.12), so the cluster is how several processes share one port here. A connection belongs to one
 * replica for its life: when that replica dies, only the requests on its connections fail (reset).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import cluster from 'node:cluster'
import { EventEmitter } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { Settings } from './config.js'
import { WaddleError } from './errors.js'
import { wantsPretty } from './logger.js'
import type { Registry } from './registry.js'
import { resolveServiceKey } from './service-key.js'

/** Absolute path of this repository's CLI entry (`bin/run.js`). */
export const BIN_RUN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
/**
 * Absolute path of the lean child entry, precompiled (`lib/cli/child.js`, built by bin/build-lib.mjs from
 * src/cli/child.ts): plain `node`, no tsx loader thread, no oclif. For children that host built-in modules.
 */
export const LEAN_CHILD = fileURLToPath(new URL('../../lib/cli/child.js', import.meta.url))

/** Restart timing: `initialMs × factor^n`, capped at `maxMs`; the crash count resets after `resetAfterMs` up. */
export interface BackoffOptions {
  readonly initialMs: number
  readonly factor: number
  readonly maxMs: number
  readonly resetAfterMs: number
}

export const DEFAULT_BACKOFF = {
  initialMs: 250,
  factor: 2,
  maxMs: 10_000,
  resetAfterMs: 30_000,
} as const satisfies BackoffOptions

/** The delay before restart number `attempt` (0 = the first restart after a crash). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  return Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt))
}

/**
 * Parses `--replicas` values (`router=2,twitch=3`, the flag may repeat) into module → count.
 * With `known`, names outside it are refused. Throws WB_INPUT_INVALID naming `replicas`.
 */
export function parseReplicas(
  specs: string | readonly string[] | undefined,
  known?: readonly string[],
): Map<string, number> {
  const out = new Map<string, number>()
  const fail = (reason: string): never => {
    throw new WaddleError('WB_INPUT_INVALID', { field: 'replicas', reason })
  }
  const items = (typeof specs === 'string' ? [specs] : (specs ?? []))
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)
  for (const item of items) {
    const m = /^([a-z0-9][a-z0-9_-]*)=(\d+)$/.exec(item)
    if (!m) fail(`expected <module>=<count>, got ${JSON.stringify(item)}`)
    const [, name, raw] = m as RegExpExecArray & [string, string, string]
    const count = Number(raw)
    if (count < 1 || count > 32) fail(`${name}=${raw}: the count must be between 1 and 32`)
    if (out.has(name)) fail(`${name} is given twice`)
    if (known && !known.includes(name)) fail(`${name} is not one of the supervised modules (${known.join(', ')})`)
    out.set(name, count)
  }
  return out
}

/** A collector replica past the first runs with the port offset raised by this × its index (see planChildren). */
export const REPLICA_PORT_STEP = 1000

/**
 * One supervised process. `replica` counts from 0; `portOffset` is the child's `WADDLEBOT_PORT_OFFSET`;
 * `shared` when the module's replicas share its port (they are then cluster workers of this process).
 */
export interface ChildInfo {
  readonly module: string
  readonly replica: number
  readonly label: string
  readonly portOffset: number
  readonly shared: boolean
}

/**
 * The children of `modules` × their replica counts, in order. Replicas share their module's port, except
 * modules for which `ownPort(module)` holds (collectors: a platform's webhook must reach the process that
 * claimed the channel, so each keeps an address of its own): their replica N ≥ 2 runs with the offset raised
 * by {@link REPLICA_PORT_STEP} × (N − 1). Throws WB_INPUT_INVALID when such an offset overflows.
 */
export function planChildren(
  modules: readonly string[],
  replicas: ReadonlyMap<string, number>,
  baseOffset: number,
  ownPort: (module: string) => boolean = () => false,
): ChildInfo[] {
  return modules.flatMap((module) => {
    const count = replicas.get(module) ?? 1
    const own = ownPort(module)
    return Array.from({ length: count }, (_, replica) => {
      const portOffset = own ? baseOffset + REPLICA_PORT_STEP * replica : baseOffset
      if (portOffset > 50_000)
        throw new WaddleError('WB_INPUT_INVALID', {
          field: 'replicas',
          reason: `${module} replica ${replica + 1} would need port offset ${portOffset} (max 50000)`,
        })
      const label = replica === 0 ? module : `${module}#${replica + 1}`
      return { module, replica, label, portOffset, shared: count > 1 && !own }
    })
  })
}

/** Events of a supervisor (tests and `up` watch them). */
export interface SupervisorEvents {
  spawn: [child: ChildInfo, pid: number]
  exit: [
    child: ChildInfo,
    info: { pid: number | undefined; code: number | null; signal: NodeJS.Signals | null; uptimeMs: number },
  ]
  restart: [child: ChildInfo, info: { attempt: number; delayMs: number }]
  giveup: [child: ChildInfo, crashes: number]
  line: [child: ChildInfo, text: string]
}

export type ChildStatus = 'running' | 'backoff' | 'failed' | 'stopped'

export interface SupervisorOptions {
  readonly settings: Settings
  /** Where the supervised modules listen (ports and URLs), built by the CLI from its catalog. */
  readonly registry: Registry
  readonly modules: readonly string[]
  /** Module → number of processes (default 1 each). */
  readonly replicas?: ReadonlyMap<string, number>
  /** Modules whose replicas each keep a port of their own instead of sharing one (`up`: the collectors). */
  readonly ownPort?: (module: string) => boolean
  /** Where prefixed lines go (default: this process's stdout). */
  readonly out?: (line: string) => void
  /** Colour the prefixes (default: when stdout is a TTY and NO_COLOR is unset). */
  readonly color?: boolean
  /** Give up on a child after this many fast consecutive crashes (default 10). */
  readonly maxCrashes?: number
  /** How long stop() waits after SIGTERM before SIGKILL (default 5000 ms). */
  readonly stopTimeoutMs?: number
  readonly backoff?: Partial<BackoffOptions>
  /**
   * Whether a child may start from the precompiled lib/ ({@link LEAN_CHILD}) instead of `bin/run.js run`
   * (asked at every start and restart; default never). Only for built-in modules, while lib/ is fresh.
   */
  readonly lean?: (child: ChildInfo) => boolean
  /** Node arguments of a child; default `[bin/run.js, 'run', module]` or the lean entry (tests swap in a fake script). */
  readonly childArgs?: (child: ChildInfo) => readonly string[]
}

/** In the child, before anything else: exit when the parent is gone (ppid changed), SIGKILL 5 s later if SIGTERM did not do it. */
const WATCHDOG = `data:text/javascript,${encodeURIComponent(
  'const p=process.ppid;setInterval(()=>{if(process.ppid!==p){process.kill(process.pid,"SIGTERM");setTimeout(()=>process.kill(process.pid,"SIGKILL"),5000).unref()}},500).unref()',
)}`
const COLORS = [36, 33, 35, 32, 34, 91, 96, 93]

interface Slot {
  readonly info: ChildInfo
  status: ChildStatus
  proc: ChildProcess | undefined
  pid: number | undefined
  startedAt: number
  crashes: number
  timer: NodeJS.Timeout | undefined
  /** Settles once the running process has exited and its output is flushed. */
  exited: Promise<void>
}

/** Runs a set of child processes; create with {@link createSupervisor}, then `start()`. */
export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #o: SupervisorOptions
  readonly #backoff: BackoffOptions
  readonly #slots: Slot[]
  readonly #width: number
  readonly #color: boolean
  readonly #env: (child: ChildInfo) => NodeJS.ProcessEnv
  #stopping: Promise<void> | undefined
  #started = false

  constructor(options: SupervisorOptions) {
    super()
    this.#o = options
    this.#backoff = { ...DEFAULT_BACKOFF, ...options.backoff }
    const plan = planChildren(
      options.modules,
      options.replicas ?? new Map(),
      options.settings.portOffset,
      options.ownPort,
    )
    this.#slots = plan.map((info) => ({
      info,
      status: 'stopped',
      proc: undefined,
      pid: undefined,
      startedAt: 0,
      crashes: 0,
      timer: undefined,
      exited: Promise.resolve(),
    }))
    this.#width = Math.max('supervisor'.length, ...plan.map((c) => c.label.length)) + 2
    this.#color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR)
    this.#env = childEnv(options.settings, options.registry, options.modules)
  }

  /** Every child with its current status and pid. */
  get children(): readonly (ChildInfo & { status: ChildStatus; pid: number | undefined; crashes: number })[] {
    return this.#slots.map((s) => ({ ...s.info, status: s.status, pid: s.pid, crashes: s.crashes }))
  }

  /** Spawns every child (once; never after stop()). */
  start(): this {
    if (this.#started || this.#stopping) return this
    this.#started = true
    for (const slot of this.#slots) this.#spawn(slot)
    return this
  }

  /** SIGTERM to every child, SIGKILL to survivors after the grace period; resolves once all have exited. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll()
    return this.#stopping
  }

  async #stopAll(): Promise<void> {
    for (const slot of this.#slots) {
      clearTimeout(slot.timer)
      if (slot.status === 'backoff') slot.status = 'stopped'
    }
    const alive = this.#slots.filter((s) => s.proc)
    for (const slot of alive) slot.proc?.kill('SIGTERM')
    const timer = setTimeout(() => {
      for (const slot of this.#slots.filter((s) => s.proc)) {
        this.#say(`${slot.info.label} did not stop within ${this.#o.stopTimeoutMs ?? 5000} ms; killing pid ${slot.pid}`)
        slot.proc?.kill('SIGKILL')
      }
    }, this.#o.stopTimeoutMs ?? 5000)
    await Promise.all(alive.map((s) => s.exited))
    clearTimeout(timer)
  }

  /** A plain child, or for a shared-port module a cluster worker (its listen() goes through this process). */
  #launch(info: ChildInfo): ChildProcess {
    const [script = BIN_RUN, ...args] =
      this.#o.childArgs?.(info) ?? (this.#o.lean?.(info) ? [LEAN_CHILD, info.module] : [BIN_RUN, 'run', info.module])
    if (info.shared) {
      // Each replica accepts from the shared socket itself (SCHED_NONE), so a connection is a replica's from
      // the moment it is taken. Round robin hands accepted connections over IPC: one handed to a replica
      // that dies before it took it stays open with nobody reading it, and its request hangs.
      cluster.schedulingPolicy = cluster.SCHED_NONE
      cluster.setupPrimary({
        exec: script,
        args,
        execArgv: ['--import', WATCHDOG],
        cwd: this.#o.settings.projectDir,
        silent: true, // stdout/stderr piped to us, prefixed like any child's
      })
      return cluster.fork(this.#env(info)).process
    }
    return spawn(process.execPath, ['--import', WATCHDOG, script, ...args], {
      cwd: this.#o.settings.projectDir,
      env: this.#env(info),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a terminal's Ctrl-C reaches only the supervisor, which stops the children
    })
  }

  #spawn(slot: Slot): void {
    const { info } = slot
    slot.timer = undefined
    const proc = this.#launch(info)
    let settle = () => {}
    Object.assign(slot, {
      proc,
      pid: proc.pid,
      startedAt: Date.now(),
      status: 'running',
      exited: new Promise<void>((r) => (settle = r)),
    })
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (text) => {
        this.#print(info.label, text)
        this.emit('line', info, text)
      })
    }
    let fallback: NodeJS.Timeout | undefined
    const onGone = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(fallback)
      if (slot.proc !== proc) return // already handled
      this.#exited(slot, code, signal)
      settle()
    }
    // 'close' comes after the last output line; a grandchild holding the pipes open must not stall us, though
    proc.once('close', onGone)
    proc.once('exit', (code, signal) => {
      fallback = setTimeout(() => onGone(code, signal), 500)
    })
    proc.once('error', (err) => {
      if (proc.pid !== undefined) return
      this.#say(`${info.label} could not start: ${err.message}`)
      onGone(null, null)
    })
    if (proc.pid !== undefined) {
      this.#say(`started ${info.label} pid ${proc.pid}`)
      this.emit('spawn', info, proc.pid)
    }
  }

  #exited(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    const { info } = slot
    const uptimeMs = Date.now() - slot.startedAt
    const how = signal ? `signal ${signal}` : `code ${code}`
    slot.proc = undefined
    this.emit('exit', info, { pid: slot.pid, code, signal, uptimeMs })
    if (this.#stopping) {
      slot.status = 'stopped'
      this.#say(`${info.label} stopped (${how})`)
      return
    }
    if (uptimeMs >= this.#backoff.resetAfterMs) slot.crashes = 0
    slot.crashes += 1
    const max = this.#o.maxCrashes ?? 10
    if (slot.crashes >= max) {
      slot.status = 'failed'
      this.#say(`${info.label} exited (${how}); giving up after ${slot.crashes} fast consecutive crashes`)
      this.emit('giveup', info, slot.crashes)
      return
    }
    const delayMs = backoffDelay(slot.crashes - 1, this.#backoff)
    slot.status = 'backoff'
    this.#say(
      `${info.label} exited (${how}) after ${(uptimeMs / 1000).toFixed(1)} s; restart ${slot.crashes} in ${delayMs} ms`,
    )
    this.emit('restart', info, { attempt: slot.crashes, delayMs })
    slot.timer = setTimeout(() => this.#spawn(slot), delayMs)
  }

  #say(text: string): void {
    this.#print('supervisor', text)
  }

  #print(label: string, text: string): void {
    const tag = `[${label}]`.padEnd(this.#width)
    const index = this.#o.modules.indexOf(label.replace(/#\d+$/, '')) // -1 for the supervisor: grey
    const line = `${this.#color ? `\u001b[${index < 0 ? 90 : COLORS[index % COLORS.length]}m${tag}\u001b[0m` : tag} ${text}`
    if (this.#o.out) this.#o.out(line)
    else process.stdout.write(`${line}\n`)
  }
}

/**
 * A child's environment: the parent's, plus the shared service key (resolved once), its replica index and
 * port offset, the config file, and, for a replica on a raised offset, the URLs of the other supervised
 * modules (they listen at the base offset, not at this replica's).
 */
function childEnv(
  settings: Settings,
  registry: Registry,
  modules: readonly string[],
): (child: ChildInfo) => NodeJS.ProcessEnv {
  const serviceKey = resolveServiceKey(settings)
  const peers = modules
    .filter((m) => (registry.get(m)?.port ?? 0) > 0)
    .map((m) => [`WADDLEBOT_${m.toUpperCase().replaceAll('-', '_')}_URL`, registry.urlOf(m), m] as const)
  return (child) => ({
    ...settings.env,
    WADDLEBOT_SERVICE_KEY: serviceKey,
    WADDLEBOT_REPLICA: String(child.replica),
    WADDLEBOT_PORT_OFFSET: String(child.portOffset),
    // The children's stdout is a pipe: they print pretty lines when this terminal would.
    WADDLEBOT_LOG_FORMAT: wantsPretty(settings.logFormat) ? 'pretty' : 'json',
    ...(settings.configFile ? { WADDLEBOT_CONFIG: settings.configFile } : {}),
    ...(child.portOffset !== settings.portOffset
      ? Object.fromEntries(peers.filter(([, , m]) => m !== child.module).map(([k, url]) => [k, url]))
      : {}),
  })
}

/** A supervisor over `options.modules` (not started yet: call `start()`). */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new Supervisor(options)
}
