/** What the hub's setup builds: sessions, OAuth providers, the login limiter and the clock. */
import type { RateLimiter } from '../../runtime/rate-limit/index.js'
import type { OAuthPlatform } from './api.js'
import type { HubConfig } from './config.js'
import type { OAuthProvider } from './oauth/providers.js'
import type { SessionStore } from './sessions.js'
import type { StaticSite } from './static.js'

export interface HubState {
  readonly sessions: SessionStore
  readonly providers: Map<OAuthPlatform, OAuthProvider>
  readonly limiter: RateLimiter
  readonly now: () => number
  /** The hub's public base URL (no trailing slash). */
  readonly publicUrl: string
  readonly secureCookies: boolean
  readonly site: StaticSite
  readonly config: HubConfig
}
