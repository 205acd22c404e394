/**
 * Chat commands of the spam filters: `!permit <user> [seconds]` (moderators) lets that user post one link
 * within the window; `!filters` says which filters are on in this channel.
 */
import type { CommandContext, CommandDefinition } from '../../../runtime/module.js'
import { compiledFor, groupRows } from './book.js'
import type { CompiledFilters } from './evaluate.js'
import { permitKey } from './engine.js'
import { formatSteps } from './settings.js'
import { listFilterRows } from './store.js'
import type { FilterName, FilterSettings } from './types.js'

async function settingsHere(ctx: CommandContext): Promise<CompiledFilters> {
  const { community_id, id } = ctx.request.entity
  return compiledFor(groupRows(await listFilterRows(ctx.storage, community_id)), community_id, id)
}

/** `caps (70% of 15+ letters)`: a filter and its threshold, for chat. */
export function describeFilter(name: FilterName, s: FilterSettings): string {
  switch (name) {
    case 'links':
      return s.links.allow.length > 0 ? `links (allowed: ${s.links.allow.join(', ')})` : 'links'
    case 'caps':
      return `caps (${s.caps.percent}% of ${s.caps.min_length}+ letters)`
    case 'symbols':
      return `symbols (${s.symbols.percent}% of ${s.symbols.min_length}+ characters)`
    case 'repetition':
      return `repetition (${s.repetition.max_char_run}+ same characters, a word ${s.repetition.max_word_repeats}+ times)`
    case 'emotes':
      return `emotes (over ${s.emotes.max})`
    case 'length':
      return `length (over ${s.length.max} characters)`
    case 'zalgo':
      return `zalgo (over ${s.zalgo.max_marks} stacked marks)`
    case 'first-chatter':
      return 'links from first-time chatters'
  }
}

/** What a filter does on a hit, in words. */
export function describeAction(settings: FilterSettings[FilterName]): string {
  if (settings.action === 'escalate') return formatSteps(settings.steps).replaceAll(',', ' → ')
  return settings.action === 'timeout' ? `timeout:${settings.duration}` : settings.action
}

export const filterCommands: CommandDefinition[] = [
  {
    name: 'permit',
    summary: 'Lets a user post one link (moderators)',
    usage: '<user> [seconds]',
    permission: 'moderator',
    run: async (ctx) => {
      const user = ctx.args[0]?.replace(/^@/, '')
      if (!user) return 'Usage: !permit <user> [seconds]'
      const compiled = await settingsHere(ctx)
      const given = ctx.args[1]
      const seconds = given === undefined ? compiled.settings.links.permit_seconds : Number(given)
      if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600)
        return 'Usage: !permit <user> [seconds] (1 to 3600 seconds)'
      await ctx.cache.set(
        permitKey(ctx.request.entity.community_id, ctx.request.entity.platform, user),
        1,
        seconds * 1000,
      )
      return `@${user} may post one link in the next ${seconds} s.`
    },
  },
  {
    name: 'filters',
    summary: 'Says which spam filters are on here',
    run: async (ctx) => {
      const { settings, active } = await settingsHere(ctx)
      if (active.length === 0) return 'No spam filters are on here.'
      return `Spam filters on: ${active.map((n) => describeFilter(n, settings)).join(', ')}.`
    },
  },
]
