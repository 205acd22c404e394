/**
 * Auto-shoutouts: a raid shouts the raider out; with `auto_first_message`, a listed creator's first chat
 * message of a stream does too. At most one auto-shoutout per target per community per hour (from the history,
 * so it holds across replicas and restarts), never the channel itself. `stream_online` marks where a stream
 * starts (a stream whose start is unknown counts as the last 12 hours).
 */
import type { EventHandlerDefinition } from '../../runtime/module.js'
import type { ShoutoutState } from './index.js'
import { AUTO_WINDOW_MS, type ShoutoutConfig, UNKNOWN_STREAM_WINDOW_MS } from './settings.js'
import { giveShoutout, targetLogin } from './shoutout.js'

const streamKey = (entity: string) => `shoutout:stream-start:${entity}`

export function shoutoutEvents(): EventHandlerDefinition<ShoutoutConfig, ShoutoutState>[] {
  return [
    {
      name: 'shoutout-stream-start',
      types: ['stream_online'],
      mode: 'parallel',
      async run(ctx) {
        await ctx.cache.set(streamKey(ctx.request.entity.id), ctx.state.now(), 2 * 86_400_000)
      },
    },
    {
      name: 'shoutout-auto',
      types: ['raid', 'chatMessage'],
      mode: 'parallel',
      async run(ctx) {
        const s = ctx.state
        const req = ctx.request
        const trigger = req.event?.type === 'raid' ? 'raid' : 'first_message'
        const target = req.user.id === 'anonymous' ? undefined : targetLogin(req.user.name)
        if (!target) return undefined
        const community = req.entity.community_id
        const settings = await s.store.settings(community)
        if (!settings.enabled || !(trigger === 'raid' ? settings.auto_raid : settings.auto_first_message))
          return undefined
        const now = s.now()
        if (trigger === 'first_message') {
          const creator = await s.store.creator(community, target)
          if (!creator?.auto_first_message) return undefined
          const started = (await ctx.cache.get<number>(streamKey(req.entity.id))) ?? now - UNKNOWN_STREAM_WINDOW_MS
          const last = await s.store.lastShoutout(community, ['first_message'], target)
          if (last !== undefined && last >= started) return undefined
        }
        const lock = await ctx.cache.tryLock(`shoutout:auto:${community}:${target}`, 15_000)
        if (!lock) return undefined
        try {
          const last = await s.store.lastShoutout(community, ['raid', 'first_message'], target)
          if (last !== undefined && now - last < AUTO_WINDOW_MS) return undefined
          const result = await giveShoutout(s, req, target, trigger, settings)
          return result.ok ? result.responses : undefined
        } finally {
          await lock.release()
        }
      },
    },
  ]
}
