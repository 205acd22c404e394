/**
 * identity (port 8050): one person across platforms. Every account the router sees gets an identity
 * (`idn_…`, keyed on the platform's immutable user id; a rename keeps it); `!identity link <platform> <user>`
 * sends a code by DM on that platform and `!verify <code>` there joins the two accounts, so cooldowns, rate
 * limits and community roles follow the person. User API keys (`wbot_user_…`) over REST. docs/identity.md.
 */
import type { ModuleDefinition } from '../../runtime/module.js'
import { kongMirror } from '../../runtime/kong-outbox.js'
import { defineModule } from '../../runtime/module.js'
import { identityCommands } from './commands.js'
import { Linking } from './linking.js'
import { manifest } from './manifest.js'
import { identityMigrations } from './migrations.js'
import { createIdentityResolver } from './resolver.js'
import { identityRoutes } from './routes.js'
import { type IdentityConfig, identityConfigSchema } from './settings.js'
import type { IdentityState } from './state.js'
import { UserKeys } from './user-keys.js'

export type { IdentityState } from './state.js'
export type { IdentityConfig } from './settings.js'

export interface IdentityOptions {
  /** The clock (epoch ms) for code expiry, resend spacing, locks and key expiry; default Date.now. */
  readonly now?: () => number
}

/** Builds the module; the default export uses the real clock. Tests inject theirs. */
export function createIdentityModule(options: IdentityOptions = {}): ModuleDefinition<IdentityConfig, IdentityState> {
  const now = options.now ?? Date.now
  return defineModule<IdentityConfig, IdentityState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: identityConfigSchema,
    migrations: identityMigrations,
    commands: identityCommands,
    async setup(ctx) {
      const resolver = await createIdentityResolver(ctx.storage, ctx.cache)
      const linking = new Linking({
        storage: ctx.storage,
        cache: ctx.cache,
        modules: ctx.modules,
        resolver,
        config: ctx.config,
        now,
      })
      const limits = { max: ctx.config.max_api_keys, days: ctx.config.api_key_days }
      const keys = new UserKeys(ctx.storage, limits, now, kongMirror(ctx.settings, ctx.cache))
      return { resolver, linking, keys }
    },
    teardown: (ctx) => ctx.state.resolver.close(),
    routes: (app, ctx) => identityRoutes(app, ctx),
  })
}

export default createIdentityModule()
