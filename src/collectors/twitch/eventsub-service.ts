/**
 * EventSub for the channels this process serves, on the transport the config picks:
 * - `webhook` when `public_url` and TWITCH_EVENTSUB_SECRET are set (and TWITCH_CLIENT_SECRET for the app
 *   token Twitch requires): subscriptions call back `<public_url>/twitch/eventsub`;
 * - `websocket` otherwise (a streamer's PC has no public URL): a session on TWITCH_EVENTSUB_WS_URL, opened
 *   while at least one channel is served, subscriptions created with the bot's user token (TWITCH_BOT_TOKEN);
 * - `off` (`eventsub_transport: off`, or no TWITCH_CLIENT_ID): chat USERNOTICEs still deliver subs and raids.
 * Claimed channels get their subscriptions, released ones lose them, and a repair round re-creates what is
 * missing or failed. Revocations are logged and shown in the status.
 */
import type { SetupContext } from '../../runtime/module.js'
import { secret } from '../core/collector-config.js'
import type { CollectorAdapter, CollectorHandle } from '../core/collector-handle.js'
import { DEFAULT_EVENTSUB_WS_URL, type TwitchConfig } from './config.js'
import { intakeNotification } from './eventsub-intake.js'
import { createEventSubWs, type EventSubWs } from './eventsub-ws.js'
import { DEFAULT_HELIX_URL, type HelixClient, helixCaller } from './helix.js'
import {
  appAccessToken,
  type EventSubHelix,
  type EventSubTransport,
  eventSubHelix,
  type TokenInfo,
  validateToken,
} from './helix-eventsub.js'
import { channelLogin, channelOfEntity } from './normalize.js'
import { createSubscriptionManager, type SubscriptionRecord } from './subscriptions.js'

export interface EventSubStatus {
  readonly transport: 'websocket' | 'webhook' | 'off'
  readonly state: string
  readonly reason?: string
  readonly session_id?: string
  readonly subscriptions: readonly SubscriptionRecord[]
  /** One line per problem: missing scope, refused by Twitch, revoked. */
  readonly notes: readonly string[]
}

export interface EventSubService {
  join(login: string): void
  leave(login: string): Promise<void>
  stop(): Promise<void>
  revoked(subscription: Readonly<Record<string, unknown>>, via: 'webhook' | 'websocket'): void
  status(): EventSubStatus
  /** Resolves when queued subscription work is done (tests). */
  settled(): Promise<void>
}

export interface EventSubServiceOptions {
  readonly token: string
  readonly clientId: string | undefined
  readonly botLogin: string
  readonly helix: HelixClient | undefined
}

/** Logs a revocation (whichever way it came) and records it on this process's service, when there is one. */
export function recordRevocation(
  service: EventSubService | undefined,
  ctx: Pick<SetupContext<unknown>, 'log'>,
  subscription: Readonly<Record<string, unknown>>,
  via: 'webhook' | 'websocket',
): void {
  if (service) service.revoked(subscription, via)
  else
    ctx.log.warn(
      { subscription: subscription['id'], type: subscription['type'], status: subscription['status'], via },
      'EventSub subscription revoked',
    )
}

type Mode =
  | { transport: 'websocket' }
  | { transport: 'webhook'; callback: string; secret: string; clientSecret: string }
  | { transport: 'off'; reason: string }

function modeOf(ctx: SetupContext<TwitchConfig>, clientId: string | undefined): Mode {
  const cfg = ctx.config
  if (cfg.eventsub_transport === 'off') return { transport: 'off', reason: 'eventsub_transport is off' }
  if (!clientId) return { transport: 'off', reason: 'TWITCH_CLIENT_ID not set (Helix creates the subscriptions)' }
  const hookSecret = secret(ctx, 'TWITCH_EVENTSUB_SECRET')
  const clientSecret = secret(ctx, 'TWITCH_CLIENT_SECRET')
  const webhookReady = cfg.public_url !== undefined && hookSecret !== undefined && clientSecret !== undefined
  if (cfg.eventsub_transport === 'webhook' && !webhookReady) {
    const missing = [
      cfg.public_url ? '' : 'public_url',
      hookSecret ? '' : 'TWITCH_EVENTSUB_SECRET',
      clientSecret ? '' : 'TWITCH_CLIENT_SECRET',
    ].filter(Boolean)
    return { transport: 'off', reason: `webhook transport needs ${missing.join(', ')}` }
  }
  if (webhookReady && cfg.eventsub_transport !== 'websocket') {
    return {
      transport: 'webhook',
      callback: `${cfg.public_url!.replace(/\/+$/, '')}/twitch/eventsub`,
      secret: hookSecret!,
      clientSecret: clientSecret!,
    }
  }
  return { transport: 'websocket' }
}

export function createEventSubService(
  ctx: SetupContext<TwitchConfig>,
  handle: CollectorHandle<unknown>,
  o: EventSubServiceOptions,
): EventSubService {
  const log = ctx.log
  const mode = modeOf(ctx, o.clientId)
  const apiUrl = secret(ctx, 'TWITCH_API_URL') ?? DEFAULT_HELIX_URL
  const authUrl = secret(ctx, 'TWITCH_AUTH_URL')
  const wanted = new Set<string>()
  let stopped = false
  let work: Promise<unknown> = Promise.resolve()
  let tokenInfo: Promise<TokenInfo | undefined> | undefined
  let helix: Promise<EventSubHelix> | undefined
  let ws: EventSubWs | undefined
  let repairTimer: NodeJS.Timeout | undefined
  const broadcasterIds = new Map<string, string>()

  const token = () =>
    (tokenInfo ??= validateToken(authUrl, o.token).catch((err: unknown) => {
      log.warn(
        { err: (err as Error).message },
        'EventSub: the token could not be validated; every subscription type is tried',
      )
      tokenInfo = undefined
      return undefined
    }))
  const helixOf = () =>
    (helix ??= (async () => {
      const t = mode.transport === 'webhook' ? await appAccessToken(authUrl, o.clientId!, mode.clientSecret) : o.token
      return eventSubHelix(helixCaller({ baseUrl: apiUrl, clientId: o.clientId!, token: t }))
    })().catch((err: unknown) => {
      helix = undefined
      throw err
    }))
  const manager = createSubscriptionManager({
    log,
    types: ctx.config.eventsub_types,
    helix: helixOf,
    token,
    broadcasterId: async (login) => {
      const known = broadcasterIds.get(login)
      if (known) return known
      const [user] = (await o.helix?.getUsers({ logins: [login] })) ?? []
      if (user) broadcasterIds.set(login, user.id)
      return user?.id
    },
  })

  const transport = (): EventSubTransport | undefined => {
    if (mode.transport === 'webhook') return { method: 'webhook', callback: mode.callback, secret: mode.secret }
    const session = ws?.sessionId()
    return mode.transport === 'websocket' && session ? { method: 'websocket', session_id: session } : undefined
  }

  /**
   * The channels of the reconcile step at the queue's tail that has not started yet: later joins are added to
   * it, so a collector joining 1,000 channels lists Twitch's subscriptions once, not once per channel.
   */
  let gathering: Set<string> | undefined
  /** Runs subscription work one step at a time (joins, leaves and sessions never interleave). */
  const queue = (what: string, step: () => Promise<void>) => {
    gathering = undefined
    work = work
      .then(step)
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, `EventSub: ${what} failed`))
  }
  /** Twitch user ids of the channels not known yet, 100 logins per `GET /users`. */
  const lookUpBroadcasters = async (logins: readonly string[]) => {
    const unknown = logins.filter((l) => !broadcasterIds.has(l))
    for (let i = 0; i < unknown.length && o.helix; i += 100) {
      const users = await o.helix.getUsers({ logins: unknown.slice(i, i + 100) }).catch(() => [])
      for (const user of users) broadcasterIds.set(user.login.toLowerCase(), user.id)
    }
  }
  const reconcile = (logins: readonly string[]) => {
    if (gathering) {
      for (const l of logins) gathering.add(l)
      return
    }
    const batch = new Set(logins)
    queue('creating subscriptions', async () => {
      if (gathering === batch) gathering = undefined
      const t = transport()
      const live = [...batch].filter((l) => wanted.has(l))
      if (!t || stopped || live.length === 0) return
      await lookUpBroadcasters(live)
      await manager.reconcile(live, t)
    })
    gathering = batch
  }

  const openSocket = () => {
    ws ??= createEventSubWs({
      url: secret(ctx, 'TWITCH_EVENTSUB_WS_URL') ?? DEFAULT_EVENTSUB_WS_URL,
      keepaliveSeconds: ctx.config.eventsub_keepalive_s,
      log,
      onSession: (_id, moved) => {
        if (!moved) reconcile([...wanted])
      },
      onLost: () => manager.forgetAll(),
      onNotification: (m) => {
        const subscriptionType = m.metadata.subscription_type ?? String(m.payload.subscription?.['type'] ?? '')
        intakeNotification(ctx, handle, {
          messageId: m.metadata.message_id,
          subscriptionType,
          event: m.payload.event ?? {},
          via: 'websocket',
        }).catch((err: unknown) =>
          log.warn({ err, id: m.metadata.message_id }, 'EventSub event not forwarded to the router'),
        )
      },
      onRevocation: (sub) => service.revoked(sub, 'websocket'),
    })
    ws.start()
  }

  const service: EventSubService = {
    join(login) {
      if (mode.transport === 'off' || stopped || wanted.has(login)) return
      wanted.add(login)
      if (mode.transport === 'websocket') openSocket()
      reconcile([login])
      if (!repairTimer) {
        repairTimer = setInterval(() => reconcile([...wanted]), ctx.config.eventsub_repair_interval_ms)
        repairTimer.unref()
      }
    },
    async leave(login) {
      if (!wanted.delete(login) || stopped) return
      queue('deleting subscriptions', () => manager.release(login))
      if (wanted.size === 0 && ws) {
        const closing = ws
        ws = undefined
        queue('closing the session', () => closing.stop())
      }
      await work
    },
    async stop() {
      stopped = true
      clearInterval(repairTimer)
      await work
      await ws?.stop()
    },
    revoked(sub, via) {
      const channel = manager.revoked(sub as Parameters<typeof manager.revoked>[0])
      log.warn(
        { subscription: sub['id'], type: sub['type'], status: sub['status'], channel, via },
        'EventSub subscription revoked',
      )
    },
    status() {
      const base = { subscriptions: manager.records(), notes: manager.notes() }
      if (mode.transport === 'off') return { transport: 'off', state: 'off', reason: mode.reason, ...base }
      if (mode.transport === 'webhook') return { transport: 'webhook', state: 'ready', ...base }
      const session = ws?.sessionId()
      return {
        transport: 'websocket',
        state: ws ? ws.state() : 'idle',
        ...(session ? { session_id: session } : {}),
        ...base,
      }
    },
    settled: async () => {
      let seen: Promise<unknown> | undefined
      while (seen !== work) {
        seen = work
        await work
      }
    },
  }
  if (mode.transport === 'off') log.info({ reason: mode.reason }, 'EventSub off')
  return service
}

/** `{eventsub, warnings?}` for `GET /twitch/status` (`/health` carries `eventSubHealth`; warnings reach `waddlebot status`). */
export function eventSubStatus(service: EventSubService | undefined): Record<string, unknown> {
  const status: EventSubStatus = service?.status() ?? {
    transport: 'off',
    state: 'off',
    reason: 'chat is off (TWITCH_BOT_TOKEN not set)',
    subscriptions: [],
    notes: [],
  }
  return { eventsub: status, ...(status.notes.length > 0 ? { warnings: status.notes } : {}) }
}

/** At most this many EventSub notes in `/health` (all of them are in `GET /twitch/status`). */
const HEALTH_NOTES = 5

/**
 * `{eventsub, warnings?}` for `/health`: the state, subscriptions counted by status, and the first notes
 * with a count of the rest, so its size does not grow with the channels.
 */
export function eventSubHealth(service: EventSubService | undefined): Record<string, unknown> {
  const { eventsub, warnings } = eventSubStatus(service) as { eventsub: EventSubStatus; warnings?: string[] }
  const { subscriptions, notes: _notes, ...state } = eventsub
  const counts: Record<string, number> = {}
  for (const r of subscriptions) counts[r.status] = (counts[r.status] ?? 0) + 1
  const shown = warnings?.slice(0, HEALTH_NOTES)
  if (shown && warnings && warnings.length > shown.length)
    shown.push(`… and ${warnings.length - shown.length} more EventSub notes (GET /twitch/status lists them all)`)
  return { eventsub: { ...state, subscriptions: counts }, ...(shown ? { warnings: shown } : {}) }
}

/** The chat adapter, with the channel's subscriptions following its joins and leaves. */
export function withEventSub<T>(chat: CollectorAdapter<T>, events: EventSubService): CollectorAdapter<T> {
  const loginOf = (entity: { entity_id: string; channel_id?: string | null }) =>
    channelLogin(entity.channel_id ?? channelOfEntity(entity.entity_id) ?? '')
  return {
    ...chat,
    async join(entity) {
      await chat.join(entity)
      if (loginOf(entity) !== '') events.join(loginOf(entity))
    },
    async leave(entityId) {
      await chat.leave(entityId)
      await events.leave(loginOf({ entity_id: entityId }))
    },
    async stop() {
      await events.stop()
      await chat.stop()
    },
  }
}
