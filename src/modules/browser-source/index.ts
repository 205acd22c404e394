/**
 * browser-source (port 8027): OBS overlays. One token per community and overlay type (media, ticker,
 * general); the overlay pages and their WebSocket; displays pushed by the router (and any module) to every
 * connected overlay of a community, across processes through Redis pub/sub; the current state for overlays
 * that connect later; an access log. See docs/overlays.md.
 */
import { z } from 'zod'
import { createRegistry } from '../../runtime/registry.js'
import { defineModule, type ModuleContext } from '../../runtime/module.js'
import { AccessLog } from './access-log.js'
import { SocketHub } from './hub.js'
import { browserSourceMigrations } from './migrations.js'
import { loadPages } from './pages.js'
import { type BrowserSource, browserSourceRoutes, communityOfEntity } from './routes.js'
import { OverlayState } from './state.js'
import { type Clock, TokenStore } from './tokens.js'

export { browserSourceMigrations } from './migrations.js'
export { DEFAULT_GRACE_MS, OVERLAY_TYPES, type OverlayType, overlayUrls, TokenStore } from './tokens.js'

/** `modules.browser-source` settings. */
export const browserSourceConfig = z.object({
  /** Most overlay sockets one process serves (more are closed with 1013). */
  max_connections: z.number().int().positive().default(5000),
  /** Ping and token re-check interval (ms). */
  heartbeat_ms: z.number().int().nonnegative().default(30_000),
  /** How long a token lookup is cached (ms). */
  token_cache_ms: z.number().int().nonnegative().default(10_000),
  /** Base URL put in overlay URLs (e.g. behind a proxy); default the module's own URL. */
  public_url: z.string().url().optional(),
  /** Unknown-token requests (page or socket) allowed per client address per minute; then 429 / close 4429. */
  token_guess_limit: z.number().int().positive().default(30),
  /** Access log rows older than this are deleted (days). */
  access_log_days: z.number().positive().default(30),
})
export type BrowserSourceConfig = z.infer<typeof browserSourceConfig>

const instances = new WeakMap<ModuleContext, BrowserSource>()

/** The browser-source of a hosted module context (tests and in-process callers). */
export function browserSourceOf(ctx: ModuleContext): BrowserSource {
  const bs = instances.get(ctx)
  if (!bs) throw new Error('browser-source is not set up in this context')
  return bs
}

/** The base URL overlay URLs start with: `public_url`, else the module's configured URL or bind address + port. */
export function overlayBaseUrl(ctx: Pick<ModuleContext, 'settings' | 'config'>): string {
  const configured = (ctx.config as Partial<BrowserSourceConfig>).public_url
  return configured ?? createRegistry(ctx.settings).urlOf('browser-source')
}

export default defineModule<BrowserSourceConfig>({
  name: 'browser-source',
  version: '0.1.0',
  kind: 'core',
  summary: 'OBS browser-source overlays',
  port: 8027,
  config: browserSourceConfig as unknown as z.ZodType<BrowserSourceConfig>,
  migrations: browserSourceMigrations,
  async setup(ctx) {
    const clock: Clock = { now: () => Date.now() }
    const tokens = new TokenStore(ctx.storage, clock, ctx.config.token_cache_ms)
    const hub = new SocketHub(ctx.cache, tokens, ctx.log, { maxConnections: ctx.config.max_connections, heartbeatMs: ctx.config.heartbeat_ms })
    const access = new AccessLog(ctx.storage, ctx.log)
    const bs: BrowserSource = {
      tokens, hub, clock, access,
      state: new OverlayState(ctx.cache, clock),
      pages: await loadPages(),
      baseUrl: overlayBaseUrl(ctx),
      guessLimit: ctx.config.token_guess_limit,
      communityOf: (entityId) => communityOfEntity(ctx.storage, entityId),
    }
    instances.set(ctx as ModuleContext, bs)
    await hub.start()
    const prune = () => access.prune(clock.now() - ctx.config.access_log_days * 86_400_000)
    const pruneTimer = setInterval(() => void prune().catch((err) => ctx.log.warn({ err }, 'access log prune failed')), 6 * 3600_000)
    pruneTimer.unref()
    await prune()
    return async () => {
      clearInterval(pruneTimer)
      await hub.stop()
      await access.close()
    }
  },
  routes: (app, ctx) => browserSourceRoutes(app, ctx as ModuleContext, browserSourceOf(ctx as ModuleContext)),
})
