/**
 * Counts plain chat lines per community for the timers' chat-line minimum: an observer (the router hands it
 * chat messages that are not commands in batches, no execution each; one cache increment per community per
 * batch). The event handler remembers the game / category a platform event names, for quotes
 * (`memories:game:<entity>`, 12 h).
 */
import type { EventHandlerDefinition, ObserverDefinition } from '../../runtime/module.js'
import { gameKey, type MemoriesConfig, type MemoriesState } from './context.js'
import { linesKey } from './timers.js'

const GAME_FIELDS = ['game_name', 'category_name', 'game', 'category'] as const

function gameOf(data: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const field of GAME_FIELDS) {
    const v = data?.[field]
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 100)
  }
  return undefined
}

export const activityHandler: EventHandlerDefinition<MemoriesConfig, MemoriesState> = {
  name: 'activity',
  types: ['stream_online', 'channel_update'],
  mode: 'parallel',
  async run(ctx) {
    const { request } = ctx
    const game = gameOf(request.event?.data as Record<string, unknown> | undefined)
    if (game) await ctx.cache.set(gameKey(request.entity.id), game, 12 * 3_600_000)
  },
}

export const chatLinesObserver: ObserverDefinition<MemoriesConfig, MemoriesState> = {
  name: 'chat-lines',
  types: ['chatMessage'],
  async observe(ctx, events) {
    const perCommunity = new Map<string, number>()
    for (const e of events) perCommunity.set(e.entity.community_id, (perCommunity.get(e.entity.community_id) ?? 0) + 1)
    for (const [community, lines] of perCommunity) await ctx.cache.incr(linesKey(community), lines)
  },
}
