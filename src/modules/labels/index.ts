/**
 * labels (port 8040): labels on users, communities, entities (channels) and modules, per community, with
 * limits held exactly under concurrent requests, expiry, bulk apply and search; `!label` for moderators and
 * a REST API other modules use through `LabelsClient` (public.ts). See docs/labels.md.
 */
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { labelsCommands } from './commands.js'
import { manifest } from './manifest.js'
import { labelsMigrations } from './migrations.js'
import { labelsRoutes } from './routes.js'
import { type LabelsConfig, labelsConfigSchema } from './schemas.js'
import { LabelStore } from './store.js'

export interface LabelsOptions {
  /** The clock (epoch ms) for expiry; default Date.now. */
  readonly now?: () => number
}

/** Builds the module; the default export uses the real clock. Its state is the label store. */
export function createLabelsModule(options: LabelsOptions = {}): ModuleDefinition<LabelsConfig, LabelStore> {
  return defineModule<LabelsConfig, LabelStore>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: labelsConfigSchema,
    migrations: labelsMigrations,
    commands: labelsCommands(),
    setup: (ctx) => new LabelStore(ctx.storage, ctx.cache, ctx.config, options.now ?? Date.now),
    routes: (app, ctx) => labelsRoutes(app, ctx),
  })
}

export default createLabelsModule()
