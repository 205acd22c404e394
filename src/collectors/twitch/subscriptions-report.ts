/**
 * What `waddlebot twitch subscriptions` prints: every EventSub subscription Helix lists, grouped by channel.
 * WebSocket subscriptions are listed with the bot's user token; webhook ones need the app token
 * (TWITCH_CLIENT_SECRET), and are left out with a note without it.
 */
import { WaddleError } from '../../runtime/errors.js'
import { channelIdOfCondition } from './eventsub-types.js'
import { createHelixClient, DEFAULT_HELIX_URL, helixCaller } from './helix.js'
import { appAccessToken, type EventSubSubscription, eventSubHelix } from './helix-eventsub.js'

export interface SubscriptionRow {
  readonly id: string
  readonly type: string
  readonly version: string
  readonly transport: string
  readonly status: string
  readonly cost: number
  readonly created_at?: string
}

export interface SubscriptionsReport {
  readonly channels: {
    readonly channel: string
    readonly broadcaster_id: string
    readonly subscriptions: SubscriptionRow[]
  }[]
  readonly total: number
  readonly total_cost: number
  readonly max_total_cost: number
  readonly notes: string[]
}

const get = (env: Readonly<Record<string, string | undefined>>, name: string) =>
  env[name]?.trim() ? env[name]!.trim() : undefined

export async function listTwitchSubscriptions(
  env: Readonly<Record<string, string | undefined>>,
): Promise<SubscriptionsReport> {
  const token = get(env, 'TWITCH_BOT_TOKEN')
  const clientId = get(env, 'TWITCH_CLIENT_ID')
  const missing = [token ? '' : 'TWITCH_BOT_TOKEN', clientId ? '' : 'TWITCH_CLIENT_ID'].filter(Boolean)
  if (!token || !clientId) throw new WaddleError('WB_TWITCH_NOT_CONFIGURED', { missing: missing.join(', ') })
  const baseUrl = get(env, 'TWITCH_API_URL') ?? DEFAULT_HELIX_URL
  const clientSecret = get(env, 'TWITCH_CLIENT_SECRET')
  const notes: string[] = []
  const subs: EventSubSubscription[] = []
  let totalCost = 0
  let maxCost = 0
  try {
    const user = await eventSubHelix(helixCaller({ baseUrl, clientId, token })).list()
    subs.push(...user.data)
    totalCost += user.total_cost
    maxCost = user.max_total_cost
    if (clientSecret) {
      const app = await appAccessToken(get(env, 'TWITCH_AUTH_URL'), clientId, clientSecret)
      const hooks = await eventSubHelix(helixCaller({ baseUrl, clientId, token: app })).list()
      subs.push(...hooks.data)
      totalCost += hooks.total_cost
      maxCost = Math.max(maxCost, hooks.max_total_cost)
    } else {
      notes.push('webhook subscriptions not listed: they need an app token (set TWITCH_CLIENT_SECRET)')
    }
    const ids = [
      ...new Set(subs.map((s) => channelIdOfCondition(s.condition)).filter((id): id is string => id !== undefined)),
    ]
    const helix = createHelixClient({ baseUrl, clientId, token })
    const logins = new Map<string, string>()
    for (let i = 0; i < ids.length; i += 100)
      for (const u of await helix.getUsers({ ids: ids.slice(i, i + 100) })) logins.set(u.id, u.login)
    const byChannel = new Map<string, SubscriptionRow[]>()
    for (const s of subs) {
      const id = channelIdOfCondition(s.condition) ?? '?'
      const row: SubscriptionRow = {
        id: s.id,
        type: s.type,
        version: s.version,
        transport: s.transport.method,
        status: s.status,
        cost: s.cost,
        ...(s.created_at ? { created_at: s.created_at } : {}),
      }
      byChannel.set(id, [...(byChannel.get(id) ?? []), row])
    }
    const channels = [...byChannel.entries()]
      .map(([id, rows]) => ({
        channel: logins.get(id) ?? id,
        broadcaster_id: id,
        subscriptions: rows.sort((a, b) => a.type.localeCompare(b.type)),
      }))
      .sort((a, b) => a.channel.localeCompare(b.channel))
    return { channels, total: subs.length, total_cost: totalCost, max_total_cost: maxCost, notes }
  } catch (error) {
    throw new WaddleError('WB_TWITCH_API_FAILED', { reason: (error as Error).message }, { cause: error })
  }
}
