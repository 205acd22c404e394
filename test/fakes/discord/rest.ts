/**
 * A fake Discord REST API (v10) on 127.0.0.1: answers what discord.js needs (gateway discovery, messages,
 * DMs, interaction callbacks, webhook edits, moderation, command registration), records every request,
 * and enforces the bot's guild permissions for moderation the way Discord does (403 code 50013).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dmChannelId, type FakeWorld, memberPayload, memberPermissions, nextId, PERM, userPayload } from './state.js'

/** One request the fake REST received. */
export interface RestRequest {
  readonly method: string
  /** Path without the `/api/v10` prefix and without the query, decoded, e.g. `/channels/300/messages`. */
  readonly path: string
  readonly query: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  /** The parsed JSON body, or undefined (loosely typed: tests read what the bot sent). */
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body of any shape, read by tests
  readonly json: any
}

/** A reply the fake sends (or an override injects). */
export interface RestReply {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Record<string, string>
  /** Keep the request open this long before answering. */
  readonly delayMs?: number
}

/** Returns a reply to take over a request, or undefined to let the fake answer normally. */
export type RestOverride = (req: RestRequest) => RestReply | undefined

/** The running fake REST API. */
export interface FakeRest {
  readonly url: string
  /** Base URL for discord.js `rest.api` (ends in `/api`). */
  readonly api: string
  readonly requests: RestRequest[]
  /** Requests that are not discovery or command registration: what the bot did. */
  actions(): RestRequest[]
  /** Resolves with the first recorded request (past or future) matching `predicate`. */
  waitFor(predicate: (r: RestRequest) => boolean, timeoutMs?: number): Promise<RestRequest>
  override(fn: RestOverride | undefined): void
  close(): Promise<void>
}

const PREFIX = '/api/v10'

type Route = [method: string, pattern: RegExp, handler: (m: RegExpMatchArray, req: RestRequest) => RestReply]

/** Starts the fake REST API on 127.0.0.1 (a free port); `gatewayUrl` is what `GET /gateway/bot` returns. */
export async function startFakeRest(world: FakeWorld, gatewayUrl: () => string): Promise<FakeRest> {
  const requests: RestRequest[] = []
  const waiters: { predicate: (r: RestRequest) => boolean; resolve: (r: RestRequest) => void }[] = []
  let override: RestOverride | undefined
  const botUser = userPayload(world.bot.id, world.bot.username, true)
  const guildOf = (id: string) => world.guilds.find((g) => g.id === id)
  const channelGuild = (channelId: string) => world.guilds.find((g) => g.channels.some((c) => c.id === channelId))
  const missing = (perm: bigint, guildId: string | undefined): RestReply | undefined => {
    const guild = guildId ? guildOf(guildId) : undefined
    if (!guild) return undefined // DMs: the bot may delete its own messages only, not checked here
    return memberPermissions(guild, world.bot.id) & perm
      ? undefined
      : { status: 403, body: { message: 'Missing Permissions', code: 50013 } }
  }
  const message = (
    channelId: string,
    body: { content?: unknown; embeds?: unknown; flags?: unknown } | undefined,
    extra: Record<string, unknown> = {},
  ) => ({
    id: nextId(),
    channel_id: channelId,
    ...(channelGuild(channelId) ? { guild_id: channelGuild(channelId)!.id } : {}),
    author: botUser,
    content: body?.content ?? '',
    embeds: body?.embeds ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    type: 0,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    flags: body?.flags ?? 0,
    components: [],
    ...extra,
  })

  const routes: Route[] = [
    [
      'GET',
      /^\/gateway\/bot$/,
      () => ({
        status: 200,
        body: {
          url: gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      }),
    ],
    ['GET', /^\/gateway$/, () => ({ status: 200, body: { url: gatewayUrl() } })],
    ['GET', /^\/users\/@me$/, () => ({ status: 200, body: botUser })],
    [
      'GET',
      /^\/applications\/@me$/,
      () => ({ status: 200, body: { id: world.applicationId, name: 'waddlebot', flags: 0, bot: botUser } }),
    ],
    [
      'PUT',
      /^\/applications\/(\d+)\/(?:guilds\/\d+\/)?commands$/,
      (_m, r) => ({
        status: 200,
        body: ((r.json ?? []) as object[]).map((c) => ({
          ...c,
          id: nextId(),
          application_id: world.applicationId,
          version: '1',
        })),
      }),
    ],
    ['POST', /^\/channels\/(\d+)\/messages$/, (m, r) => ({ status: 200, body: message(m[1]!, r.json) })],
    [
      'PATCH',
      /^\/channels\/(\d+)\/messages\/(\d+)$/,
      (m, r) => ({ status: 200, body: message(m[1]!, r.json, { id: m[2] }) }),
    ],
    [
      'DELETE',
      /^\/channels\/(\d+)\/messages\/(\d+)$/,
      (m) => missing(PERM.ManageMessages, channelGuild(m[1]!)?.id) ?? { status: 204 },
    ],
    [
      'PATCH',
      /^\/guilds\/(\d+)\/members\/(\d+)$/,
      (m, r) => {
        const refused = missing(PERM.ModerateMembers, m[1])
        if (refused) return refused
        const member = guildOf(m[1]!)?.members.find((x) => x.id === m[2]) ?? {
          id: m[2]!,
          username: `user${m[2]}`,
          roles: [],
        }
        return {
          status: 200,
          body: {
            ...memberPayload(member),
            communication_disabled_until: r.json?.communication_disabled_until ?? null,
          },
        }
      },
    ],
    ['PUT', /^\/guilds\/(\d+)\/bans\/(\d+)$/, (m) => missing(PERM.BanMembers, m[1]) ?? { status: 204 }],
    [
      'POST',
      /^\/users\/@me\/channels$/,
      (_m, r) => {
        const recipient = String(r.json?.recipient_id)
        // A user who turned off DMs from server members (or shares no server with the bot).
        if (world.dmClosed.has(recipient))
          return { status: 403, body: { message: 'Cannot send messages to this user', code: 50007 } }
        return {
          status: 200,
          body: {
            id: dmChannelId(recipient),
            type: 1,
            recipients: [userPayload(recipient, `user${recipient}`)],
            last_message_id: null,
          },
        }
      },
    ],
    ['POST', /^\/interactions\/(\d+)\/([^/]+)\/callback$/, () => ({ status: 204 })],
    [
      'PATCH',
      /^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/,
      (_m, r) => ({ status: 200, body: message('0', r.json, { webhook_id: world.applicationId }) }),
    ],
    [
      'POST',
      /^\/webhooks\/(\d+)\/([^/]+)$/,
      (_m, r) => ({ status: 200, body: message('0', r.json, { webhook_id: world.applicationId }) }),
    ],
  ]

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const [rawPath = '/', query = ''] = (req.url ?? '/').split('?')
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown
      try {
        json = body && String(req.headers['content-type']).includes('json') ? JSON.parse(body) : undefined
      } catch {}
      const path = decodeURIComponent(rawPath.startsWith(PREFIX) ? rawPath.slice(PREFIX.length) : rawPath) // `%40original` → `@original`
      const recorded: RestRequest = { method: req.method ?? 'GET', path, query, headers: req.headers, body, json }
      requests.push(recorded)
      for (const w of [...waiters]) {
        if (w.predicate(recorded)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve(recorded)
        }
      }
      let reply = override?.(recorded)
      if (!reply) {
        const auth = req.headers.authorization
        const isWebhook = /^\/(webhooks|interactions)\//.test(recorded.path)
        if (!isWebhook && auth !== undefined && !auth.startsWith('Bot '))
          reply = { status: 401, body: { message: '401: Unauthorized', code: 0 } }
      }
      if (!reply) {
        const route = routes.find(([method, pattern]) => method === recorded.method && pattern.test(recorded.path))
        reply = route
          ? route[2](recorded.path.match(route[1])!, recorded)
          : { status: 404, body: { message: 'Unknown route', code: 0 } }
      }
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs))
      if (res.destroyed) return
      const empty = reply.status === 204 || reply.body === undefined
      res.writeHead(reply.status, { ...(empty ? {} : { 'content-type': 'application/json' }), ...reply.headers })
      res.end(empty ? undefined : JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const DISCOVERY = /^\/(gateway|users\/@me$|applications\/)/
  return {
    url,
    api: `${url}/api`,
    requests,
    actions: () => requests.filter((r) => !DISCOVERY.test(r.path)),
    waitFor(predicate, timeoutMs = 5000) {
      const found = requests.find(predicate)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (r: RestRequest) => {
            clearTimeout(timer)
            resolve(r)
          },
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(
            new Error(
              `no matching REST request within ${timeoutMs} ms; saw: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
            ),
          )
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
    override: (fn) => {
      override = fn
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
