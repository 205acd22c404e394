/**
 * browser-source (port 8027): OBS overlays. One token per community and overlay type (media, ticker,
 * general); the overlay pages and their WebSocket; displays pushed by the router (and any module) to every
 * connected overlay of a community, across processes through Redis pub/sub; the current state for overlays
 * that connect later; an access log. See docs/overlays.md.
 */
import { defineModule, type SetupContext } from '../../runtime/module.js'
import { AccessLog } from './access-log.js'
import { type BrowserSourceConfig, browserSourceConfig } from './config.js'
import { SocketHub } from './hub.js'
import { manifest } from './manifest.js'
import { browserSourceMigrations } from './migrations.js'
import { loadPages } from './pages.js'
import { type BrowserSource, browserSourceRoutes, communityOfEntity } from './routes.js'
import { OverlayState } from './state.js'
import { type Clock, TokenStore } from './tokens.js'

export type { BrowserSource } from './routes.js'

/** The base URL overlay URLs start with: `public_url`, else the module's configured URL or bind address + port. */
export function overlayBaseUrl(ctx: Pick<SetupContext<BrowserSourceConfig>, 'config' | 'modules'>): string {
  return ctx.config.public_url ?? ctx.modules.url(manifest.name)
}

/** What setup builds, and what the routes and the teardown work with. */
interface BrowserSourceState extends BrowserSource {
  readonly pruneTimer: NodeJS.Timeout
}

export default defineModule<BrowserSourceConfig, BrowserSourceState>({
  name: manifest.name,
  version: '0.1.0',
  kind: manifest.kind,
  summary: manifest.summary,
  port: manifest.port,
  config: browserSourceConfig,
  migrations: browserSourceMigrations,
  async setup(ctx) {
    const clock: Clock = { now: () => Date.now() }
    const tokens = new TokenStore(ctx.storage, clock, ctx.config.token_cache_ms)
    const hub = new SocketHub(ctx.cache, tokens, ctx.log, {
      maxConnections: ctx.config.max_connections,
      heartbeatMs: ctx.config.heartbeat_ms,
    })
    const access = new AccessLog(ctx.storage, ctx.log)
    await hub.start()
    const prune = () => access.prune(clock.now() - ctx.config.access_log_days * 86_400_000)
    const pruneTimer = setInterval(
      () => void prune().catch((err) => ctx.log.warn({ err }, 'access log prune failed')),
      6 * 3600_000,
    )
    pruneTimer.unref()
    await prune()
    return {
      tokens,
      hub,
      clock,
      access,
      pruneTimer,
      state: new OverlayState(ctx.cache, clock),
      pages: await loadPages(),
      baseUrl: overlayBaseUrl(ctx),
      guessLimit: ctx.config.token_guess_limit,
      communityOf: (entityId) => communityOfEntity(ctx.storage, entityId),
    }
  },
  async teardown({ state }) {
    clearInterval(state.pruneTimer)
    await state.hub.stop()
    await state.access.close()
  },
  routes: (app, ctx) => browserSourceRoutes(app, ctx, ctx.state),
})
