/**
 * The router (port 8000): every platform event passes through it: intake, sessions, command detection,
 * lookup, enablement, permissions, execution through the module contract, the execution log, overlays.
 */
import type { ModuleContext } from '../../runtime/module.js'
import { defineModule } from '../../runtime/module.js'
import { builtinCommands } from './builtins.js'
import { coordinationMigrations } from './coordination/migrations.js'
import { filterCommands } from './filters/commands.js'
import { filterMigrations } from './filters/store.js'
import { createPipeline, type Pipeline } from './pipeline.js'
import { routerRoutes } from './routes.js'

const pipelines = new WeakMap<ModuleContext, Pipeline>()

/** The pipeline of a hosted router (tests and in-process callers). */
export function pipelineOf(ctx: ModuleContext): Pipeline {
  const p = pipelines.get(ctx)
  if (!p) throw new Error('the router is not set up in this context')
  return p
}

export default defineModule({
  name: 'router',
  version: '0.1.0',
  kind: 'router',
  summary: 'Commands, moderation and responses for every platform',
  port: 8000,
  commands: [...builtinCommands, ...filterCommands],
  migrations: [...coordinationMigrations, ...filterMigrations],
  async setup(ctx) {
    const pipeline = await createPipeline(ctx)
    pipelines.set(ctx, pipeline)
    return () => pipeline.close()
  },
  routes: (app, ctx) => routerRoutes(app, ctx, pipelineOf(ctx)),
})
