/**
 * The module contract: everything the runtime needs to host a module, declared once with `defineModule`.
 * The same definition runs in-process or behind HTTP; only the transport differs.
 */
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { ExecutionRequest, ObservedEvent } from '../contract/execution.js'
import type { ExecutionResponse } from '../contract/responses.js'
import type { Cache } from './cache/types.js'
import type { Settings } from './config.js'
import type { Logger } from './logger.js'
import type { ModuleClients } from './module-clients.js'
import type { Migration, Storage } from './storage/types.js'

export type ModuleKind = 'collector' | 'router' | 'interaction' | 'core' | 'hub'

/** The role ladder, lowest first. */
export const PERMISSION_LEVELS = ['everyone', 'subscriber', 'vip', 'moderator', 'admin', 'broadcaster'] as const
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number]

/**
 * What a handler may return: a line of chat, one response, several (strings are chat lines), or nothing.
 * A `{type: 'command', message}` asks the router to run `message` as the caller's next command.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler may simply return nothing
export type Reply = string | ExecutionResponse | readonly (ExecutionResponse | string)[] | undefined | void

/** Handed to `setup`: everything but the module's own state (which `setup` builds). */
export interface SetupContext<TConfig = Record<string, unknown>> {
  readonly module: string
  /** This module's validated, frozen config (`modules.<name>` in waddlebot.yaml + env overrides). */
  readonly config: TConfig
  readonly storage: Storage
  readonly cache: Cache
  readonly log: Logger
  readonly settings: Settings
  /** Reach other modules, hosted here or elsewhere: base URLs, typed execution clients, HTTP calls. */
  readonly modules: ModuleClients
}

/** Handed to every route plugin, command, event handler, health check and teardown. */
export interface ModuleContext<TConfig = Record<string, unknown>, TState = unknown> extends SetupContext<TConfig> {
  /** What `setup` returned (undefined for a module without `setup`). */
  readonly state: TState
}

/** A command invocation: the module context plus the execution request of CONTRACT §4.2. */
export interface CommandContext<TConfig = Record<string, unknown>, TState = unknown>
  extends ModuleContext<TConfig, TState> {
  readonly request: ExecutionRequest
  readonly args: readonly string[]
}

export interface CommandDefinition<TConfig = Record<string, unknown>, TState = unknown> {
  /**
   * Lower-case word after the prefix: `ping` for `!ping`. `*` (built-in modules only) is the catch-all: the
   * router runs it for a `!word` no command claims, with `request.command` the word typed; returning no
   * response means "not mine" (`unknown_command`). The alias module's custom commands use it.
   */
  readonly name: string
  readonly summary: string
  /** e.g. `<query>`; shown by `!help <command>`. */
  readonly usage?: string
  readonly aliases?: readonly string[]
  /** `!` local (default) or `#` community. */
  readonly prefix?: '!' | '#'
  /** Lowest role that may run it (default everyone). */
  readonly permission?: PermissionLevel
  readonly cooldownMs?: number
  /** Uses per user per minute (0 = unlimited). */
  readonly rateLimit?: number
  /** Uses per minute across all users of a community (of the entity outside a community); 0 = unlimited. */
  readonly entityRateLimit?: number
  /** Default 5000. */
  readonly timeoutMs?: number
  run(ctx: CommandContext<TConfig, TState>): Promise<Reply> | Reply
}

/** Runs for platform events (follow, raid, …) rather than commands. */
export interface EventHandlerDefinition<TConfig = Record<string, unknown>, TState = unknown> {
  readonly name: string
  readonly types: readonly string[]
  /** Lower runs first among sequential handlers (default 100). */
  readonly priority?: number
  readonly mode?: 'sequential' | 'parallel'
  run(ctx: CommandContext<TConfig, TState>): Promise<Reply> | Reply
}

/**
 * Watches events without answering them: the router hands a module's observer the events of its `types` in
 * batches (every few milliseconds), with no execution and no execution-log row, and the event's outcome
 * does not change (plain chat stays `ignored`). Best effort: a batch an unreachable module misses is lost.
 */
export interface ObserverDefinition<TConfig = Record<string, unknown>, TState = unknown> {
  readonly name: string
  readonly types: readonly string[]
  observe(ctx: ModuleContext<TConfig, TState>, events: readonly ObservedEvent[]): Promise<void> | void
}

/** What a module adds to its `/health` answer. */
export type HealthDetail = Readonly<Record<string, unknown>>

export interface ModuleDefinition<TConfig = Record<string, unknown>, TState = unknown> {
  /** kebab-case; prefixes tables, env vars and routes. */
  readonly name: string
  readonly version: string
  readonly kind: ModuleKind
  readonly summary: string
  /** The documented port (built-in modules take it from their manifest; custom modules pick one ≥ 8100). */
  readonly port?: number
  /** Validates `modules.<name>` of the config; defaults fill in. */
  readonly config?: z.ZodType<TConfig>
  readonly commands?: readonly CommandDefinition<TConfig, TState>[]
  readonly events?: readonly EventHandlerDefinition<TConfig, TState>[]
  /** Watch events in batches without answering them (cheaper than an event handler; see ObserverDefinition). */
  readonly observers?: readonly ObserverDefinition<TConfig, TState>[]
  /** Extra HTTP routes, registered encapsulated on the module's own server. */
  routes?(app: FastifyInstance, ctx: ModuleContext<TConfig, TState>): Promise<void> | void
  /** Tables of this module, prefixed `<module_snake>_`. */
  readonly migrations?: readonly Migration[]
  /**
   * Called once at start, before the module's server listens. What it returns is the module's state:
   * `ctx.state` in every command, event handler, route, health check and the teardown.
   */
  setup?(ctx: SetupContext<TConfig>): Promise<TState> | TState
  /** Called once at stop, before the module's server closes. */
  teardown?(ctx: ModuleContext<TConfig, TState>): Promise<void> | void
  /**
   * Extra health check: throw to report this module unhealthy (503). An object it returns is served as
   * `detail` in the 200 body (e.g. a collector's `{chat: "not connected", reason}`).
   */
  health?(ctx: ModuleContext<TConfig, TState>): Promise<HealthDetail | undefined> | HealthDetail | undefined
}

/** Any module definition, whatever its config and state. */
// biome-ignore lint/suspicious/noExplicitAny: the runtime hosts definitions of every config and state type
export type AnyModuleDefinition = ModuleDefinition<any, any>

/**
 * Declares a module. Returns the definition unchanged, typed.
 * @example
 * export default defineModule({
 *   name: 'greeter', version: '1.0.0', kind: 'interaction', summary: 'Says hello', port: 8100,
 *   commands: [{ name: 'hello', summary: 'Greets you', run: (ctx) => `Hello, ${ctx.request.user.name}!` }],
 * })
 */
export function defineModule<TConfig = Record<string, unknown>, TState = undefined>(
  def: ModuleDefinition<TConfig, TState>,
): ModuleDefinition<TConfig, TState> {
  return def
}

/** The rank of a level on the ladder (everyone = 0). */
export function permissionRank(level: string): number {
  const i = PERMISSION_LEVELS.indexOf(level as PermissionLevel)
  return Math.max(i, 0)
}

/** The highest level a user holds, from platform roles (owner counts as broadcaster). */
export function userLevel(roles: readonly string[]): number {
  let best = 0
  for (const role of roles) best = Math.max(best, permissionRank(role === 'owner' ? 'broadcaster' : role))
  return best
}
