/**
 * The one event handler: counts plain chat lines per community for the timers' chat-line minimum (one cache
 * increment per line; the router hands modules chat messages that are not commands) and remembers the game /
 * category a platform event names, for quotes (`memories:game:<entity>`, 12 h).
 */
import type { EventHandlerDefinition } from '../../runtime/module.js'
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
  types: ['chatMessage', 'stream_online', 'channel_update'],
  mode: 'parallel',
  async run(ctx) {
    const { request } = ctx
    if (request.event?.type === 'chatMessage') await ctx.cache.incr(linesKey(request.entity.community_id))
    const game = gameOf(request.event?.data as Record<string, unknown> | undefined)
    if (game) await ctx.cache.set(gameKey(request.entity.id), game, 12 * 3_600_000)
  },
}
