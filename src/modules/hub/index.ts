/**
 * hub (port 8060): the web UI and its API. Logs people in with Twitch, Discord or Slack (OAuth through the
 * identity tables) or a one-time password, keeps sessions server-side (hub_sessions), checks every API call
 * against the caller's role, and reaches the other modules through their public.ts or their REST APIs with
 * the service key. Serves the built UI (hub/dist) with a strict CSP. docs/hub.md.
 */
import { migrateDatabase } from '../../runtime/database.js'
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { identityMigrations } from '../identity/public.js'
import { createRateLimiter } from '../../runtime/rate-limit/index.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { type HubConfig, hubConfigSchema } from './config.js'
import { manifest } from './manifest.js'
import { hubMigrations } from './migrations.js'
import { providersFromEnv } from './oauth/providers.js'
import { hubRoutes } from './routes/index.js'
import { SessionStore, sessionSecret } from './sessions.js'
import type { HubState } from './state.js'
import { createStaticSite, HUB_SOURCE_DIR } from './static.js'

export interface HubOptions {
  readonly now?: () => number
}

export function createHubModule(options: HubOptions = {}): ModuleDefinition<HubConfig, HubState> {
  return defineModule<HubConfig, HubState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: hubConfigSchema,
    migrations: hubMigrations,
    async setup(ctx) {
      const now = options.now ?? Date.now
      // Hub users are identities: the identity tables must exist even when the identity module runs elsewhere
      // or not at all (applying them twice is a no-op; the identity module finds them applied).
      await migrateDatabase(ctx.storage, [{ module: 'identity', migrations: identityMigrations }])
      const publicUrl = (ctx.config.public_url ?? ctx.modules.url('hub')).replace(/\/+$/, '')
      const limiter = await createRateLimiter({
        redisUrl: ctx.settings.redisUrl,
        namespace: ctx.settings.redisPrefix,
        onError: (err, context) => ctx.log.warn({ err, context }, 'hub rate limiter error'),
      })
      const providers = providersFromEnv(ctx.settings.env)
      ctx.log.info({ url: publicUrl, oauth: [...providers.keys()] }, 'hub')
      return {
        sessions: new SessionStore(
          ctx.storage,
          sessionSecret(ctx.settings.env, resolveServiceKey(ctx.settings)),
          ctx.config.session_ttl_minutes * 60_000,
          now,
        ),
        providers,
        limiter,
        now,
        publicUrl,
        secureCookies: publicUrl.startsWith('https:'),
        config: ctx.config,
        site: createStaticSite({
          distDir: ctx.config.dist_dir ?? `${HUB_SOURCE_DIR}dist`,
          // A configured dist_dir holds a UI built elsewhere: only the package's own hub/dist is built here.
          build: ctx.config.build_on_serve && ctx.config.dist_dir === undefined,
          log: ctx.log,
        }),
      }
    },
    routes: (app, ctx) => hubRoutes(app, ctx),
    async teardown({ state }) {
      // A UI build still running finishes on its own (it renames its output into place atomically).
      await state.limiter.close()
    },
  })
}

export default createHubModule()
