/**
 * The router (port 8000): every platform event passes through it: intake, sessions, command detection,
 * lookup, enablement, permissions, execution through the module contract, the execution log, overlays.
 * Its state is the pipeline `setup` builds (`ctx.state.pipeline`).
 */
import { defineModule } from '../../runtime/module.js'
import { builtinCommands } from './builtins.js'
import { filterCommands } from './filters/commands.js'
import { manifest } from './manifest.js'
import { routerMigrations } from './migrations.js'
import { createPipeline, type Pipeline } from './pipeline.js'
import { routerRoutes } from './routes.js'

/** What the router's setup builds. */
export interface RouterState {
  readonly pipeline: Pipeline
}

export default defineModule<Record<string, unknown>, RouterState>({
  name: manifest.name,
  version: '0.1.0',
  kind: manifest.kind,
  summary: manifest.summary,
  port: manifest.port,
  commands: [...builtinCommands, ...filterCommands],
  migrations: routerMigrations,
  setup: async (ctx) => ({ pipeline: await createPipeline(ctx) }),
  teardown: ({ state }) => state.pipeline.close(),
  routes: (app, ctx) => routerRoutes(app, ctx, ctx.state.pipeline),
})
