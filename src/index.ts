/**
 * The public API of waddlebot for module authors: `import { defineModule, sql, chat } from 'waddlebot'`.
 * `defineModule<Config, State>` declares a module whose `setup` returns its state (`ctx.state` everywhere
 * else); `ctx.modules` reaches the other modules. See docs/modules.md.
 */
export * from './contract/index.js'
export type { Cache, Lock } from './runtime/cache/types.js'
export type { Settings } from './runtime/config.js'
export { WaddleError } from './runtime/errors.js'
export type { Logger } from './runtime/logger.js'
export {
  type CommandContext,
  type CommandDefinition,
  defineModule,
  type EventHandlerDefinition,
  type HealthDetail,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleKind,
  PERMISSION_LEVELS,
  type PermissionLevel,
  type Reply,
  type SetupContext,
} from './runtime/module.js'
export type { ModuleClient, ModuleClients, ModuleRequestInit } from './runtime/module-clients.js'
export { sql } from './runtime/storage/sql.js'
export type { Migration, Queryable, Sql, Storage } from './runtime/storage/types.js'
