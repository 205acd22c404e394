/**
 * marketplace (port 8001): a registry of community modules (manifests validated by one schema, each version
 * probed for health and checksum before it is stored), per-community install / uninstall / enable / disable /
 * upgrade of their `#` commands (core table `module_installations`; the router runs a module's commands only
 * where it is installed), reviews (one per person), `#modules` and `!marketplace` in chat, `waddlebot
 * marketplace …` on the CLI, REST for the hub. docs/marketplace.md.
 */
import { defineModule } from '../../runtime/module.js'
import { marketplaceCommands } from './commands.js'
import { manifest } from './manifest.js'
import { marketplaceMigrations } from './migrations.js'
import { createMarketState, type MarketState } from './reviewers.js'
import { marketplaceRoutes } from './routes.js'

export default defineModule<Record<string, unknown>, MarketState>({
  name: manifest.name,
  version: '0.1.0',
  kind: manifest.kind,
  summary: manifest.summary,
  port: manifest.port,
  migrations: marketplaceMigrations,
  commands: marketplaceCommands,
  setup: (ctx) => createMarketState(ctx),
  teardown: async ({ state }) => {
    await state.identities?.close()
  },
  routes: (app, ctx) => marketplaceRoutes(app, ctx),
})
