/**
 * Test support for the hub: router + community + identity + hub hosted and listening on one backend, the three
 * fake OAuth login servers (Discord, Twitch, Slack) wired in through their base-URL settings, and a `Browser`
 * (cookie jar over real HTTP, no redirects followed unless asked) to log in the way a browser does.
 */
import { writeFileSync } from 'node:fs'
import { loadSettings } from '../../src/runtime/config.js'
import { type HostedModule, type Runtime, startRuntime } from '../../src/runtime/host.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { type FakeDiscordOAuth, startFakeDiscordOAuth } from '../fakes/discord/oauth-server.js'
import { type FakeLoginServer, startFakeLogin } from '../fakes/oauth-logins.js'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { type TestProject, testProject } from './settings.js'

// biome-ignore lint/suspicious/noExplicitAny: JSON answers of the API under test
type Json = any

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly json: Json
  readonly text: string
}

export class Browser {
  readonly jar = new Map<string, string>()
  constructor(readonly base: string) {}

  #remember(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = (pair ?? '').indexOf('=')
      const name = (pair ?? '').slice(0, eq).trim()
      const value = (pair ?? '').slice(eq + 1).trim()
      if (/max-age=0/i.test(line) || value === '') this.jar.delete(name)
      else this.jar.set(name, value)
    }
  }

  cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** A request to the hub (a path) or, for an absolute URL elsewhere, without the hub's cookies. */
  async request(method: string, target: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const own = target.startsWith('/') || target.startsWith(this.base)
    const url = target.startsWith('/') ? `${this.base}${target}` : target
    const h: Record<string, string> = { ...headers }
    if (own && this.jar.size > 0) h.cookie = this.cookie()
    if (body !== undefined) h['content-type'] = 'application/json'
    const res = await fetch(url, {
      method,
      headers: h,
      redirect: 'manual',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (own) this.#remember(res)
    const text = await res.text()
    let json: Json
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: res.status, headers: res.headers, json, text }
  }

  get(target: string, headers?: Record<string, string>): Promise<Answer> {
    return this.request('GET', target, undefined, headers)
  }

  /** A state-changing call with the CSRF header (unless `csrf: false`). */
  send(method: string, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<Answer> {
    const csrf = this.jar.get('wb_csrf')
    return this.request(method, path, body, options.csrf === false || !csrf ? {} : { 'x-csrf-token': csrf })
  }

  /**
   * The whole OAuth dance: start at the hub, follow the platform's authorize redirect and the callback.
   * Returns the callback's answer (302 to `next`, or to /login?error=… on a refusal).
   */
  async oauth(platform: string, query = ''): Promise<Answer> {
    const start = await this.get(`/api/v1/auth/oauth/${platform}${query}`)
    if (start.status !== 302) return start
    const authorize = await this.get(start.headers.get('location') ?? '')
    if (authorize.status !== 302) return authorize
    return this.get(authorize.headers.get('location') ?? '')
  }
}

export interface HubFixture {
  readonly runtime: Runtime
  readonly url: string
  readonly discord: FakeDiscordOAuth
  readonly twitch: FakeLoginServer
  readonly slack: FakeLoginServer
  readonly hub: HostedModule
  browser(): Browser
  /** Creates a community with one entity (`local:<name>:c`); returns its id. */
  community(name: string): Promise<string>
  /** Puts an account of `userId` into a community with `role`. */
  grant(communityId: string, userId: string, role: string): Promise<void>
  /** The identity id of a platform account. */
  userOf(platform: string, platformUserId: string): Promise<string | undefined>
  close(): Promise<void>
}

export const CLIENT = { id: 'hub-client', secret: 'hub-client-secret' }

export async function startHubFixture(
  backend: Backend,
  options: { yaml?: string; env?: Record<string, string>; modules?: string[] } = {},
): Promise<HubFixture> {
  const [discord, twitch, slack] = await Promise.all([
    startFakeDiscordOAuth(CLIENT),
    startFakeLogin('twitch', CLIENT),
    startFakeLogin('slack', CLIENT),
  ])
  const offset = await freeOffset([8000, 8045, 8050, 8060])
  const env = {
    ...(await backend.env()),
    WADDLEBOT_PORT_OFFSET: String(offset),
    WADDLEBOT_BIND: '127.0.0.1',
    DISCORD_CLIENT_ID: CLIENT.id,
    DISCORD_CLIENT_SECRET: CLIENT.secret,
    DISCORD_OAUTH_URL: discord.url,
    DISCORD_API_URL: discord.apiUrl,
    TWITCH_CLIENT_ID: CLIENT.id,
    TWITCH_CLIENT_SECRET: CLIENT.secret,
    TWITCH_AUTH_URL: twitch.url,
    TWITCH_API_URL: twitch.apiUrl,
    SLACK_CLIENT_ID: CLIENT.id,
    SLACK_CLIENT_SECRET: CLIENT.secret,
    SLACK_OAUTH_URL: slack.url,
    SLACK_API_URL: slack.apiUrl,
    ...options.env,
  }
  const project: TestProject = testProject({ env })
  writeFileSync(`${project.dir}/waddlebot.yaml`, options.yaml ?? 'modules:\n  hub: {build_on_serve: false}\n')
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  let runtime: Runtime
  try {
    runtime = await startRuntime({
      catalog: builtinCatalog,
      settings,
      modules: options.modules ?? ['router', 'community', 'identity', 'hub'],
      listen: true,
    })
  } catch (error) {
    await Promise.all([discord.close(), twitch.close(), slack.close()])
    await backend.cleanup()
    project.cleanup()
    throw error
  }
  const hub = runtime.hosted.find((h) => h.def.name === 'hub')!
  const db = runtime.storage
  return {
    runtime,
    url: hub.url,
    discord,
    twitch,
    slack,
    hub,
    browser: () => new Browser(hub.url),
    async community(name) {
      await db.execute(
        sql`insert into communities (id, name, display_name, created_at) values (${name}, ${name}, ${name}, 1)`,
      )
      await db.execute(sql`insert into entities (entity_id, platform, server_id, channel_id, community_id)
        values (${`local:${name}:c`}, 'local', ${name}, 'c', ${name})`)
      return name
    },
    async grant(communityId, userId, role) {
      const account = await db.one<{ platform: string; platform_user_id: string; user_name: string }>(
        sql`select platform, platform_user_id, user_name from identity_links where identity_id = ${userId} limit 1`,
      )
      if (!account) throw new Error(`no account for ${userId}`)
      await db.execute(sql`insert into community_members (community_id, user_id, platform, platform_user_id, display_name, role, joined_at)
        values (${communityId}, ${userId}, ${account.platform}, ${account.platform_user_id}, ${account.user_name}, ${role}, 1)
        on conflict (community_id, platform, platform_user_id) do update set role = excluded.role`)
    },
    async userOf(platform, platformUserId) {
      const row = await db.one<{ identity_id: string }>(
        sql`select identity_id from identity_links where platform = ${platform} and platform_user_id = ${platformUserId}`,
      )
      return row?.identity_id
    },
    async close() {
      await runtime.stop()
      await Promise.all([discord.close(), twitch.close(), slack.close()])
      await backend.cleanup()
      project.cleanup()
    },
  }
}
