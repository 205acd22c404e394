/**
 * `waddlebot kong config`: a Kong declarative configuration (`_format_version: "3.0"`) for the enabled
 * modules (docs/kong.md). Per module: an upstream with one target per replica (health-checked on `/health`),
 * a service, a route `/<module>` (prefix stripped) with key-auth, a route `/<module>/health` without it, and
 * the module's open routes (overlay pages, platform webhooks, …) on their own paths without it. Globally:
 * rate limiting per consumer (per IP where there is no consumer) and CORS for the hub's origin.
 */

/** A module as Kong sees it: its name and the `host:port` of each of its processes. */
export interface KongModule {
  readonly name: string
  readonly targets: readonly string[]
}

export interface KongConfigOptions {
  readonly modules: readonly KongModule[]
  /** The hub's origin, the one browser origin CORS admits (e.g. `https://hub.example.com`). */
  readonly hubOrigin: string
  /** Requests a minute per consumer (per client IP on open routes). */
  readonly perMinute: number
  /** `local` (each Kong node counts alone) or `redis` (shared by every Kong node). */
  readonly policy: 'local' | 'redis'
  readonly redis?: { readonly host: string; readonly port: number } | undefined
}

/**
 * Routes that take no key at Kong, with why; each is matched exactly (a regex) and keeps its path
 * upstream. Health routes (`/<module>/health`) are open for every module. docs/kong.md lists the same.
 */
export const OPEN_ROUTES: Readonly<Record<string, readonly { path: string; why: string }[]>> = {
  'browser-source': [
    {
      path: '~/browser/source/[^/]+/(media|ticker|general)$',
      why: 'overlay pages and their WebSocket, loaded by OBS: the token in the URL is the credential',
    },
  ],
  calendar: [{ path: '~/calendar/[^/]+\\.ics$', why: 'iCalendar feeds: calendar apps cannot send a key' }],
  twitch: [{ path: '~/twitch/eventsub$', why: 'EventSub webhooks: Twitch signs them (HMAC)' }],
  discord: [{ path: '~/discord/interactions$', why: 'interactions webhook: Discord signs it (Ed25519)' }],
  slack: [{ path: '~/slack/(events|commands|interactions)$', why: 'Slack request URLs: Slack signs them' }],
  spotify: [
    {
      path: '~/spotify/auth/(login|callback)$',
      why: "the streamer's browser in the OAuth flow: a one-time link, then the OAuth state",
    },
  ],
}

/** The headers key-auth reads (waddlebot's own `X-API-Key`, and Kong's default `apikey`). */
export const KEY_NAMES = ['x-api-key', 'apikey'] as const

const TAGS = ['waddlebot']

const keyAuth = {
  name: 'key-auth',
  config: {
    key_names: [...KEY_NAMES],
    key_in_header: true,
    key_in_query: false,
    key_in_body: false,
    // waddlebot checks the key again (scopes): Kong passes it on.
    hide_credentials: false,
    // CORS preflights carry no key.
    run_on_preflight: false,
  },
  tags: TAGS,
}

/** The declarative configuration as a plain object (the command prints it as YAML). */
export function kongDeclarativeConfig(options: KongConfigOptions): Record<string, unknown> {
  const upstreams = options.modules.map((m) => ({
    name: `wb-${m.name}.upstream`,
    tags: TAGS,
    healthchecks: {
      active: {
        type: 'http',
        http_path: '/health',
        healthy: { interval: 5, successes: 1 },
        unhealthy: { interval: 5, http_failures: 2, tcp_failures: 2, timeouts: 2 },
      },
    },
    targets: m.targets.map((target) => ({ target, weight: 100, tags: TAGS })),
  }))
  const services = options.modules.flatMap((m) => {
    const host = `wb-${m.name}.upstream`
    const open = OPEN_ROUTES[m.name] ?? []
    const main = {
      name: `wb-${m.name}`,
      protocol: 'http',
      host,
      port: 80, // ignored for an upstream name: each target has its port
      tags: TAGS,
      routes: [
        {
          name: `wb-${m.name}`,
          paths: [`/${m.name}`],
          strip_path: true,
          path_handling: 'v0',
          preserve_host: false,
          tags: TAGS,
          plugins: [keyAuth],
        },
        ...(open.length
          ? [{ name: `wb-${m.name}-open`, paths: open.map((o) => o.path), strip_path: false, tags: TAGS }]
          : []),
      ],
    }
    const health = {
      name: `wb-${m.name}-health`,
      protocol: 'http',
      host,
      port: 80,
      path: '/health',
      tags: TAGS,
      routes: [
        {
          name: `wb-${m.name}-health`,
          paths: [`/${m.name}/health`],
          strip_path: true,
          path_handling: 'v0',
          tags: TAGS,
        },
      ],
    }
    return [main, health]
  })
  const rateLimit = {
    name: 'rate-limiting',
    config: {
      minute: options.perMinute,
      limit_by: 'consumer',
      policy: options.policy,
      fault_tolerant: true,
      hide_client_headers: false,
      ...(options.policy === 'redis' && options.redis ? { redis: options.redis } : {}),
    },
    tags: TAGS,
  }
  const cors = {
    name: 'cors',
    config: {
      origins: [options.hubOrigin],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      headers: ['Accept', 'Authorization', 'Content-Type', 'X-API-Key'],
      exposed_headers: ['Retry-After', 'X-RateLimit-Remaining-Minute'],
      credentials: true,
      max_age: 3600,
    },
    tags: TAGS,
  }
  return { _format_version: '3.0', upstreams, services, plugins: [rateLimit, cors] }
}
