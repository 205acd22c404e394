/** The checks of `waddlebot doctor`: each returns ok | warn | fail with a one-line detail. */
import { createServer } from 'node:net'
import { twitchEventSubCheck } from '../collectors/twitch/public.js'
import { createCache } from '../runtime/cache/index.js'
import type { Settings } from '../runtime/config.js'
import { spotifyStatus } from '../modules/spotify/public.js'
import { projectRegistry } from './registry.js'
import { openStorage } from './storage-session.js'
import { fetchHealth } from '../runtime/health-probe.js'

export interface CheckResult {
  readonly name: string
  readonly status: 'ok' | 'warn' | 'fail'
  readonly detail: string
}

const PLATFORM_SECRETS: Record<string, readonly string[]> = {
  twitch: ['TWITCH_BOT_USERNAME', 'TWITCH_BOT_TOKEN', 'TWITCH_CLIENT_ID'],
  discord: ['DISCORD_BOT_TOKEN'],
  slack: ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'],
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ host, port }, () => srv.close(() => resolve(true)))
  })
}

export async function runChecks(settings: Settings): Promise<CheckResult[]> {
  const out: CheckResult[] = [
    { name: 'config', status: 'ok', detail: settings.configFile ?? 'no waddlebot.yaml: defaults in use' },
  ]
  try {
    const storage = await openStorage(settings, { migrate: false })
    out.push({ name: 'database', status: 'ok', detail: `${storage.dialect} reachable` })
    const spotify = await spotifyStatus({
      storage,
      settings,
      modules: { url: (m) => projectRegistry(settings).urlOf(m) },
    }).catch((e: Error) => ({ level: 'warn' as const, detail: e.message }))
    out.push({ name: 'spotify', status: spotify.level, detail: spotify.detail })
    await storage.close()
  } catch (error) {
    out.push({ name: 'database', status: 'fail', detail: (error as Error).message })
  }
  if (settings.redisUrl) {
    try {
      const cache = await createCache({ redisUrl: settings.redisUrl })
      await cache.ping()
      await cache.close()
      out.push({ name: 'redis', status: 'ok', detail: 'reachable' })
    } catch (error) {
      out.push({ name: 'redis', status: 'fail', detail: (error as Error).message.split('\n')[0] ?? 'unreachable' })
    }
  } else {
    out.push({ name: 'redis', status: 'ok', detail: 'not configured: in-process cache, sessions and rate limits' })
  }
  const registry = projectRegistry(settings)
  for (const entry of registry.runnable()) {
    if (entry.port <= 0) continue
    const port = registry.portOf(entry.name)
    if (await portFree(settings.bind, port)) {
      out.push({ name: `port ${port}`, status: 'ok', detail: `${entry.name}: free` })
      continue
    }
    const probe = await fetchHealth(registry.urlOf(entry.name), 1000)
    if (probe.status === 'ok')
      out.push({ name: `port ${port}`, status: 'ok', detail: `${entry.name}: already running here` })
    else if (probe.status === 'degraded')
      out.push({
        name: `port ${port}`,
        status: 'warn',
        detail: `${entry.name}: running here, degraded: ${probe.detail}`,
      })
    else out.push({ name: `port ${port}`, status: 'fail', detail: `${entry.name}: in use by another program` })
  }
  for (const [platform, vars] of Object.entries(PLATFORM_SECRETS)) {
    const cfg = settings.platforms[platform as keyof typeof settings.platforms]
    const missing = vars.filter((v) => !settings.env[v])
    if (cfg?.enabled === false) continue
    if (missing.length === 0) out.push({ name: `${platform} tokens`, status: 'ok', detail: 'set' })
    else if (cfg)
      out.push({
        name: `${platform} tokens`,
        status: 'fail',
        detail: `configured but missing ${missing.join(', ')} (set them in .env)`,
      })
    else
      out.push({ name: `${platform} tokens`, status: 'warn', detail: `not configured (${missing.join(', ')} unset)` })
  }
  if (settings.platforms.twitch?.enabled !== false) {
    const eventsub = await twitchEventSubCheck(settings.env, settings.modules['twitch'])
    if (eventsub) out.push(eventsub)
  }
  return out
}
