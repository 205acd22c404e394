/**
 * inventory (port 8024): a community's items, checked out to and in from people, with up to 5 labels each
 * and an activity log. Chat: `!inventory …` (commands.ts); REST: `/api/v1/inventory/<community>/…`
 * (routes.ts). See docs/inventory.md.
 */
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { type InventoryState, inventoryCommands } from './commands.js'
import { manifest } from './manifest.js'
import { inventoryMigrations } from './migrations.js'
import { inventoryRoutes } from './routes.js'
import { type InventoryConfig, inventoryConfigSchema } from './settings.js'

export type { InventoryState } from './commands.js'
export type { InventoryConfig } from './settings.js'

export interface InventoryOptions {
  /** The clock (epoch ms); default Date.now. */
  readonly now?: () => number
}

export function createInventoryModule(
  options: InventoryOptions = {},
): ModuleDefinition<InventoryConfig, InventoryState> {
  return defineModule<InventoryConfig, InventoryState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: inventoryConfigSchema,
    migrations: inventoryMigrations,
    commands: inventoryCommands(),
    setup: () => ({ now: options.now ?? Date.now }),
    routes: inventoryRoutes,
  })
}

export default createInventoryModule()
