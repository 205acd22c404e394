/**
 * reputation (port 8055): points per community for chat and platform events (configurable weights, caps),
 * kept per person (identity, else platform user) and written in batches; `!points`, `!leaderboard`,
 * `!give`, `!reputation` for moderators, optional auto-moderation below a threshold, history and a
 * leaderboard API. See docs/reputation.md.
 */
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { reputationCommands } from './commands.js'
import { manifest } from './manifest.js'
import { reputationMigrations } from './migrations.js'
import { reputationRoutes } from './routes.js'
import { ReputationService, SCORED_TYPES } from './service.js'
import { type ReputationConfig, reputationConfigSchema } from './settings.js'

export interface ReputationOptions {
  /** The clock (epoch ms) for caps and history; default Date.now. */
  readonly now?: () => number
}

/** Builds the module; the default export uses the real clock. Its state is the service. */
export function createReputationModule(
  options: ReputationOptions = {},
): ModuleDefinition<ReputationConfig, ReputationService> {
  return defineModule<ReputationConfig, ReputationService>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: reputationConfigSchema,
    migrations: reputationMigrations,
    commands: reputationCommands(),
    // One parallel handler for every scored type: it never delays the sequential handlers of other modules,
    // and answers nothing (no chat) unless auto-moderation acts.
    events: [
      {
        name: 'score',
        types: SCORED_TYPES,
        mode: 'parallel',
        priority: 1000,
        run: (ctx) => ctx.state.onEvent(ctx.request),
      },
    ],
    async setup(ctx) {
      const svc = new ReputationService(ctx.storage, ctx.cache, ctx.log, ctx.config, options.now ?? Date.now)
      await svc.start()
      return svc
    },
    teardown: (ctx) => ctx.state.close(),
    health: (ctx) => ({
      events: ctx.state.events,
      pending_people: ctx.state.ledger.pendingPeople,
      ...ctx.state.ledger.stats,
    }),
    routes: (app, ctx) => reputationRoutes(app, ctx),
  })
}

export default createReputationModule()
