/**
 * kong-admin-broker (port 8080): keeps Kong's consumers, key-auth credentials and ACL groups in step with
 * waddlebot's API keys and people's user keys, through Kong's Admin API (`KONG_ADMIN_URL`). New keys reach
 * it through the sealed Kong outbox, revocations and expiries through the key tables; it reconciles on start,
 * on every `kong:keys` notification and every `interval_ms`. See docs/kong.md.
 */
import { kongAdminUrl, kongMirrorOn } from '../../runtime/kong-outbox.js'
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { Broker } from './broker.js'
import { KongAdmin } from './kong-admin.js'
import { manifest } from './manifest.js'
import { brokerRoutes } from './routes.js'
import { type BrokerConfig, brokerConfigSchema } from './settings.js'

export function createKongAdminBroker(): ModuleDefinition<BrokerConfig, Broker> {
  return defineModule<BrokerConfig, Broker>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: brokerConfigSchema,
    async setup(ctx) {
      const on = kongMirrorOn(ctx.settings)
      const kong = on ? new KongAdmin(kongAdminUrl(ctx.settings), ctx.config.request_timeout_ms) : undefined
      const broker = new Broker({
        db: ctx.storage,
        cache: ctx.cache,
        kong,
        serviceKey: resolveServiceKey(ctx.settings),
        log: ctx.log,
        intervalMs: ctx.config.interval_ms,
      })
      await broker.start()
      return broker
    },
    teardown: (ctx) => ctx.state.close(),
    health(ctx) {
      const s = ctx.state.status
      if (!s.mirroring) return { mirroring: 'off (set KONG_ADMIN_URL to mirror keys into Kong, docs/kong.md)' }
      if (s.last_error) return { degraded: `Kong Admin API: ${s.last_error}`, admin_url: s.admin_url }
      return { admin_url: s.admin_url, passes: s.passes, ...(s.last_result ?? {}) }
    },
    routes: (app, ctx) => brokerRoutes(app, ctx),
  })
}

export default createKongAdminBroker()
