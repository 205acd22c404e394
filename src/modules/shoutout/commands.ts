/**
 * `!so <user>` / `!shoutout <user>` (moderators and above): the community's cooldowns (per target and
 * overall, from the history so they hold across replicas and restarts) and then one shoutout.
 */
import type { CommandDefinition } from '../../runtime/module.js'
import type { ShoutoutState } from './index.js'
import { giveShoutout, targetLogin } from './shoutout.js'
import type { ShoutoutConfig } from './settings.js'

const wait = (ms: number) => (ms >= 90_000 ? `${Math.ceil(ms / 60_000)} min` : `${Math.ceil(ms / 1000)} s`)

export function shoutoutCommands(): CommandDefinition<ShoutoutConfig, ShoutoutState>[] {
  return [
    {
      name: 'so',
      aliases: ['shoutout'],
      summary: 'Shouts out another streamer: their game, a clip, a card on the overlay',
      usage: '<user>',
      permission: 'moderator',
      timeoutMs: 10_000,
      async run(ctx) {
        const s = ctx.state
        const community = ctx.request.entity.community_id
        const settings = await s.store.settings(community)
        if (!settings.enabled) return 'Shoutouts are turned off in this community.'
        const raw = ctx.args[0]
        if (!raw) return `Usage: ${ctx.request.command.split(' ')[0] || '!so'} <user>`
        const target = targetLogin(raw)
        if (!target) return `"${raw.slice(0, 40)}" is not a Twitch name (3–25 letters, digits or _).`
        // One shoutout of a target at a time, across replicas; the cooldowns below are read from the history.
        const lock = await ctx.cache.tryLock(`shoutout:run:${community}:${target}`, 15_000)
        if (!lock) return `A shoutout for ${target} is already on its way.`
        try {
          const now = s.now()
          const lastTarget = await s.store.lastShoutout(community, ['command'], target)
          const targetLeft = lastTarget === undefined ? 0 : lastTarget + settings.cooldown_target_seconds * 1000 - now
          if (targetLeft > 0) return `${target} was shouted out recently; again in ${wait(targetLeft)}.`
          const lastAny = await s.store.lastShoutout(community, ['command'])
          const anyLeft = lastAny === undefined ? 0 : lastAny + settings.cooldown_global_seconds * 1000 - now
          if (anyLeft > 0) return `Shoutouts are cooling down; the next one in ${wait(anyLeft)}.`
          const result = await giveShoutout(s, ctx.request, target, 'command', settings)
          return result.ok ? result.responses : result.reason
        } finally {
          await lock.release()
        }
      },
    },
  ]
}
