/**
 * The EventSub subscriptions the bot keeps for the channels it serves, on one transport (a WebSocket
 * session or the webhook callback). `reconcile` compares what Helix lists with what the config asks for:
 * live ones are kept, failed ones deleted and re-created, missing ones created, unwanted ones deleted.
 * A type the token's scopes cannot cover is skipped and explained in one line (`notes`); so is one Twitch
 * refuses (403: the broadcaster has not authorized it). Revoked subscriptions are recorded and not
 * re-created until the channel is claimed again.
 */
import type { Logger } from '../../runtime/logger.js'
import { channelIdOfCondition, EVENTSUB_CATALOGUE, FAILED_STATUSES, missingScope } from './eventsub-types.js'
import { HelixError } from './helix.js'
import type { EventSubHelix, EventSubSubscription, EventSubTransport, TokenInfo } from './helix-eventsub.js'

/** One wanted subscription of one channel: Twitch's status, or ours (`missing_scope`, `refused`, `error`, `revoked`). */
export interface SubscriptionRecord {
  readonly channel: string
  readonly type: string
  readonly status: string
  readonly id?: string
  readonly cost?: number
  /** Why it is not enabled (scope, Twitch's answer, revocation reason). */
  readonly reason?: string
}

export interface SubscriptionManagerOptions {
  readonly log: Logger
  readonly types: readonly string[]
  readonly helix: () => Promise<EventSubHelix>
  /** The bot token's user and scopes (undefined when unknown: every type is tried). */
  readonly token: () => Promise<TokenInfo | undefined>
  readonly broadcasterId: (login: string) => Promise<string | undefined>
}

export interface SubscriptionManager {
  /** Brings every channel in `logins` in line with the config on `transport`. */
  reconcile(logins: readonly string[], transport: EventSubTransport): Promise<void>
  /** Deletes the channel's subscriptions (channel released). */
  release(login: string): Promise<void>
  /** The transport's subscriptions are gone (a new WebSocket session): forget them without deleting. */
  forgetAll(): void
  /** Twitch revoked a subscription: recorded and not re-created. Returns the channel it belonged to. */
  revoked(subscription: {
    id?: string
    type?: string
    status?: string
    condition?: Record<string, string>
  }): string | undefined
  records(): SubscriptionRecord[]
  /** One line per problem, for status and doctor. */
  notes(): string[]
}

const LIVE = (status: string) => status === 'enabled' || status.endsWith('_pending')

function sameTransport(sub: EventSubSubscription, t: EventSubTransport): boolean {
  if (sub.transport.method !== t.method) return false
  return t.method === 'websocket' ? sub.transport.session_id === t.session_id : sub.transport.callback === t.callback
}

export function createSubscriptionManager(o: SubscriptionManagerOptions): SubscriptionManager {
  const channels = new Map<string, Map<string, SubscriptionRecord>>()
  const ids = new Map<string, string>() // broadcaster id → login
  const revokedTypes = new Map<string, SubscriptionRecord>() // `${login} ${type}`
  // The notes are read on every health poll and change only with the records: built once per change.
  let version = 0
  let noted: { version: number; notes: string[] } | undefined

  const put = (r: SubscriptionRecord) => {
    version++
    const m = channels.get(r.channel) ?? new Map<string, SubscriptionRecord>()
    m.set(r.type, r)
    channels.set(r.channel, m)
  }

  async function reconcileChannel(
    login: string,
    t: EventSubTransport,
    listed: EventSubSubscription[],
    helix: EventSubHelix,
    token: TokenInfo | undefined,
  ): Promise<void> {
    const broadcaster = await o.broadcasterId(login)
    if (!broadcaster) {
      o.log.warn({ channel: login }, 'EventSub: no Twitch user for this channel; no subscriptions')
      return
    }
    ids.set(broadcaster, login)
    const bot = token?.user_id ?? ''
    const ours = listed.filter((s) => sameTransport(s, t) && channelIdOfCondition(s.condition) === broadcaster)
    for (const stale of ours.filter((s) => !o.types.includes(s.type))) await helix.remove(stale.id)
    for (const type of o.types) {
      const spec = EVENTSUB_CATALOGUE[type]!
      const revoked = revokedTypes.get(`${login} ${type}`)
      if (revoked) {
        put(revoked)
        continue
      }
      const scope = t.method === 'websocket' ? missingScope(type, token, broadcaster) : undefined
      if (scope) {
        put({ channel: login, type, status: 'missing_scope', reason: scope })
        continue
      }
      const existing = ours.find((s) => s.type === type)
      if (existing && LIVE(existing.status)) {
        put({ channel: login, type, status: existing.status, id: existing.id, cost: existing.cost })
        continue
      }
      if (existing && FAILED_STATUSES.has(existing.status)) {
        o.log.info({ channel: login, type, status: existing.status }, 'EventSub: re-creating a failed subscription')
        await helix.remove(existing.id)
      }
      try {
        const created = await helix.create({
          type,
          version: spec.version,
          condition: spec.condition({ broadcaster, bot }),
          transport: t,
        })
        put({ channel: login, type, status: created.status, id: created.id, cost: created.cost })
      } catch (error) {
        const status = error instanceof HelixError && error.status === 403 ? 'refused' : 'error'
        const reason = (error as Error).message.replace(/^Helix POST \/eventsub\/subscriptions: /, '')
        if (status === 'error')
          o.log.warn(
            { channel: login, type, err: reason },
            'EventSub subscription not created; retried at the next repair',
          )
        put({ channel: login, type, status, reason })
      }
    }
  }

  return {
    async reconcile(logins, t) {
      if (logins.length === 0) return
      const helix = await o.helix()
      const token = await o.token()
      const listed = (await helix.list()).data
      for (const login of logins) await reconcileChannel(login, t, listed, helix, token)
    },

    async release(login) {
      const subs = channels.get(login)
      channels.delete(login)
      version++
      for (const key of [...revokedTypes.keys()]) if (key.startsWith(`${login} `)) revokedTypes.delete(key)
      const live = [...(subs?.values() ?? [])].filter((r) => r.id && r.status !== 'revoked')
      if (live.length === 0) return
      const helix = await o.helix()
      for (const r of live) await helix.remove(r.id!)
      o.log.info({ channel: login, deleted: live.length }, 'EventSub subscriptions deleted')
    },

    forgetAll() {
      version++
      for (const m of channels.values())
        for (const [type, r] of m) if (r.status !== 'revoked') m.set(type, { channel: r.channel, type, status: 'gone' })
    },

    revoked(sub) {
      const byId = [...channels.values()]
        .flatMap((m) => [...m.values()])
        .find((r) => r.id !== undefined && r.id === sub.id)
      const broadcaster = sub.condition ? channelIdOfCondition(sub.condition) : undefined
      const login = byId?.channel ?? (broadcaster ? ids.get(broadcaster) : undefined)
      const type = byId?.type ?? sub.type
      if (!login || !type) return undefined
      const record: SubscriptionRecord = {
        channel: login,
        type,
        status: 'revoked',
        reason: sub.status ?? 'revoked',
        ...(sub.id ? { id: sub.id } : {}),
      }
      revokedTypes.set(`${login} ${type}`, record)
      put(record)
      return login
    },

    records: () => [...channels.values()].flatMap((m) => [...m.values()]),

    notes() {
      if (noted?.version !== version) noted = { version, notes: buildNotes() }
      return [...noted.notes]
    },
  }

  function buildNotes(): string[] {
    const out: string[] = []
    const all = [...channels.values()].flatMap((m) => [...m.values()])
    const group = (status: string, keyOf: (r: SubscriptionRecord) => string) => {
      const groups = new Map<string, SubscriptionRecord[]>()
      for (const r of all) {
        if (r.status !== status) continue
        const rs = groups.get(keyOf(r))
        if (rs) rs.push(r)
        else groups.set(keyOf(r), [r])
      }
      return [...groups.entries()]
    }
    const names = (rs: SubscriptionRecord[]) => [...new Set(rs.map((r) => r.type))].join(', ')
    const chans = (rs: SubscriptionRecord[]) => [...new Set(rs.map((r) => `#${r.channel}`))].join(', ')
    for (const [scope, rs] of group('missing_scope', (r) => r.reason ?? '')) {
      out.push(
        `${names(rs)} not subscribed on ${chans(rs)}: the token lacks the ${scope} scope (grant it with \`waddlebot auth twitch\`)`,
      )
    }
    for (const [, rs] of group('refused', (r) => `${r.channel} ${r.reason}`)) {
      out.push(
        `${names(rs)} on ${chans(rs)} refused by Twitch (${rs[0]!.reason}): the broadcaster has not authorized it`,
      )
    }
    for (const r of all.filter((x) => x.status === 'revoked'))
      out.push(
        `${r.type} on #${r.channel} revoked by Twitch (${r.reason}); not re-created until the channel is claimed again`,
      )
    return out
  }
}
