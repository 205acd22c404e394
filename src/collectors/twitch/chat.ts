/**
 * The Twitch chat adapter on tmi.js: joins the channels this process has claimed (paced by
 * `join_interval_ms`), forwards every chat message to the router, and sends what the outbound queue hands
 * it: chat lines (raw PRIVMSG, optionally threaded with `@reply-parent-msg-id`), whispers and moderation
 * through Helix. The bot's USERSTATE per channel decides its budget (100 / 30 s as a moderator, else
 * 20 / 30 s) and whether it may moderate there. USERNOTICEs (subs, gifts, raids, announcements) become
 * router events (usernotice.ts).
 */
import { createRequire } from 'node:module'
import type { SetupContext } from '../../runtime/module.js'
import type { CollectorAdapter, CollectorHandle } from '../core/collector-handle.js'
import type { ClaimedEntity } from '../core/types.js'
import { ircConnection, TWITCH_BUDGET, TWITCH_MOD_BUDGET, type TwitchConfig } from './config.js'
import type { HelixClient } from './helix.js'
import { moderate } from './moderation.js'
import { canModerate, channelLogin, channelOfEntity, chatEvent, type TwitchTags } from './normalize.js'
import { renderTwitch, type TwitchPayload } from './render.js'
import { forwardFact } from './eventsub-intake.js'
import { userNoticeEvents } from './usernotice.js'
import type { TokenSource } from './token-store.js'

export interface TwitchChatOptions {
  readonly ircUrl: string
  readonly username: string
  readonly token: string
  /** Refreshing tokens (token-store.ts); each (re)connect then logs in with the current one. */
  readonly tokens?: TokenSource | undefined
  readonly helix: HelixClient | undefined
}

/** tmi.js is required when chat is configured (a token is set), not when the collector merely serves webhooks. */
const require = createRequire(import.meta.url)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Creates the adapter; nothing connects until `start()`. */
export function createTwitchChat(
  ctx: SetupContext<TwitchConfig>,
  handle: CollectorHandle<TwitchPayload>,
  o: TwitchChatOptions,
): CollectorAdapter<TwitchPayload> {
  const log = ctx.log
  // tmi.js logs chat lines and routine steps at info: those are debug here. Its reconnect steps ("Could not
  // connect… Reconnecting in 1 seconds..", a failed connect's reason) are debug too: a reconnect is one warn
  // line of ours when chat drops and one info line when it is back.
  const RECONNECT_NOISE = /reconnect|connection closed|unable to connect|ping timeout|login authentication failed/i
  const quiet = (level: 'debug' | 'warn' | 'error') => (message: unknown) => {
    const text = typeof message === 'string' ? message : String((message as Error)?.message ?? message)
    log[level !== 'debug' && RECONNECT_NOISE.test(text) ? 'debug' : level]({ tmi: true }, text)
  }
  const tmi = require('tmi.js') as typeof import('tmi.js')
  const client = new tmi.Client({
    options: {
      joinInterval: Math.max(300, ctx.config.join_interval_ms),
      skipUpdatingEmotesets: true,
      messagesLogLevel: 'info',
    },
    connection: { ...ircConnection(o.ircUrl), reconnect: true, maxReconnectInterval: 30_000 },
    identity: {
      username: o.username.toLowerCase(),
      password: o.tokens ? async () => `oauth:${await o.tokens!.current()}` : `oauth:${o.token.replace(/^oauth:/, '')}`,
    },
    channels: [],
    logger: { info: quiet('debug'), warn: quiet('warn'), error: quiet('error') },
  })
  /** Channels this process serves (its claims), by login. */
  const wanted = new Set<string>()
  const moderatorIn = new Set<string>()
  const roomIds = new Map<string, string>()
  let botId: string | undefined
  let connected = false
  let stopped = false
  let joins: Promise<unknown> = Promise.resolve()

  const joinPaced = (login: string) => {
    joins = joins.then(async () => {
      if (!connected || !wanted.has(login) || client.getChannels().includes(`#${login}`)) return
      try {
        await client.join(login)
      } catch (err) {
        log.warn({ err, channel: login }, 'join failed')
        await handle.coordination.reportError(`twitch:${login}:${login}`, `join failed: ${String(err)}`)
      }
      await sleep(ctx.config.join_interval_ms)
    })
  }

  const onChat = (channel: string, tags: TwitchTags, message: string) => {
    const login = channelLogin(channel)
    if (!wanted.has(login)) return
    const event = chatEvent(channel, tags, message)
    if (!event) return
    handle
      .forward(event)
      .catch((err: unknown) => log.warn({ err, channel: login }, 'event not forwarded to the router'))
  }

  /** Subs, gifts, raids and announcements in chat: the same events as EventSub's, never both (eventsub-intake.ts). */
  const onUserNotice = (channel: string, tags: TwitchTags, text: string | undefined) => {
    const login = channelLogin(channel)
    if (!wanted.has(login)) return
    for (const event of userNoticeEvents(login, tags, text)) {
      forwardFact(ctx, handle as CollectorHandle<unknown>, event).catch((err: unknown) =>
        log.warn({ err, channel: login }, 'event not forwarded to the router'),
      )
    }
  }

  client.on('message', (channel, tags, message, self) => {
    if (!self) onChat(channel, tags as TwitchTags, message)
  })
  client.on('cheer', (channel, tags, message) => onChat(channel, tags as TwitchTags, message))
  client.on('roomstate', (channel, state) => {
    const id = (state as TwitchTags)['room-id']
    if (typeof id === 'string') roomIds.set(channelLogin(channel), id)
  })
  client.on('raw_message', (_copy, raw) => {
    const message = raw as { command?: string; params?: string[]; tags?: TwitchTags }
    const userId = message.tags?.['user-id']
    if (message.command === 'GLOBALUSERSTATE' && typeof userId === 'string') botId = userId
    if (message.command === 'USERNOTICE' && message.params?.[0])
      onUserNotice(message.params[0], message.tags ?? {}, message.params[1])
    if (message.command !== 'USERSTATE' || !message.params?.[0]) return
    const login = channelLogin(message.params[0])
    const mod = canModerate(message.tags ?? {})
    if (mod === moderatorIn.has(login)) return
    if (mod) moderatorIn.add(login)
    else moderatorIn.delete(login)
    handle.queue.setBudget(login, mod ? TWITCH_MOD_BUDGET : TWITCH_BUDGET)
    log.info({ channel: login, moderator: mod }, 'bot moderator status')
  })
  /** When chat dropped (the outage being reported), until it is back. */
  let downSince: number | undefined
  client.on('connected', () => {
    if (stopped) {
      client.disconnect().catch(() => {})
      return
    }
    connected = true
    if (downSince !== undefined) log.info({ down_ms: Date.now() - downSince }, 'Twitch chat reconnected')
    downSince = undefined
    for (const login of wanted) joinPaced(login)
  })
  client.on('disconnected', (reason) => {
    const wasConnected = connected
    connected = false
    moderatorIn.clear()
    if (stopped) return
    // One warn line per outage; failed attempts while it lasts are debug.
    if (wasConnected && downSince === undefined) {
      downSince = Date.now()
      log.warn({ reason }, 'Twitch chat disconnected; reconnecting')
    } else log.debug({ reason }, 'Twitch chat: reconnect attempt failed')
  })

  async function lookupId(login: string): Promise<string | undefined> {
    if (!o.helix) return undefined
    const [user] = await o.helix.getUsers({ logins: [login] })
    return user?.id
  }

  return {
    start() {
      return new Promise<void>((resolve) => {
        client.once('connected', () => resolve())
        client
          .connect()
          .catch((err: unknown) => log.warn({ err: String(err) }, 'Twitch chat: first connection failed; retrying'))
      })
    },
    async stop() {
      stopped = true
      ;(client as unknown as { reconnect: boolean }).reconnect = false
      if (client.readyState() === 'OPEN') await client.disconnect().catch(() => {})
    },
    connected: () => connected,

    join(entity: ClaimedEntity) {
      const login = channelLogin(entity.channel_id ?? channelOfEntity(entity.entity_id) ?? '')
      if (login === '') return
      wanted.add(login)
      joinPaced(login)
    },
    async leave(entityId) {
      const login = channelOfEntity(entityId)
      if (!login || !wanted.delete(login)) return
      moderatorIn.delete(login)
      if (connected && client.getChannels().includes(`#${login}`)) await client.part(login)
    },

    render: (entityId, responses, origin, priority) =>
      renderTwitch(entityId, responses, origin, priority, ctx.config.max_parts),

    async send({ payload: p }) {
      if (p.kind === 'say') {
        if (!connected) throw new Error('Twitch chat is not connected')
        const tag = p.replyTo && /^[\w-]+$/.test(p.replyTo) ? `@reply-parent-msg-id=${p.replyTo} ` : ''
        await client.raw(`${tag}PRIVMSG #${p.channel} :${p.text}`)
      } else if (p.kind === 'whisper') {
        const from = botId ?? (await lookupId(o.username))
        if (!o.helix || !from) throw new Error('whispers need TWITCH_CLIENT_ID (Helix) and the bot user id')
        await o.helix.sendWhisper(from, p.toUserId, p.text)
      } else {
        await moderate(
          {
            helix: o.helix,
            log,
            canModerate: (channel) => moderatorIn.has(channel),
            broadcasterId: async (channel) => roomIds.get(channel) ?? (await lookupId(channel)),
            botUserId: async () => {
              botId ??= await lookupId(o.username)
              return botId
            },
          },
          p,
        )
      }
    },
  }
}
