/**
 * Chat commands: `!points [user]`, `!leaderboard` (`!top`), `!give <user> <n>` (when a moderator turned it
 * on) and `!reputation` for moderators (show, give on|off, set <event> <n>, cap <n>, automod …, reset).
 * Names are resolved to people seen chatting in the community. Every refusal is one friendly line.
 */
import type { CommandContext, CommandDefinition } from '../../runtime/module.js'
import type { Person } from './ledger.js'
import { personOf, type ReputationService } from './service.js'
import {
  type CommunitySettings,
  EVENT_KINDS,
  type Points,
  type ReputationConfig,
  type SettingsPatch,
} from './settings.js'

type Ctx = CommandContext<ReputationConfig, ReputationService>

const MAX_GIVE = 1_000_000
const at = (name: string) => `@${name.replace(/^@/, '')}`

/** The person behind a typed chat name: the caller, or someone seen chatting in this community. */
async function find(ctx: Ctx, typed: string): Promise<{ subject: string; name: string } | undefined> {
  const me = personOf(ctx.request)
  const bare = typed.replace(/^@/, '').toLowerCase()
  if (bare === me.name?.toLowerCase() || bare === me.display_name?.toLowerCase())
    return { subject: me.subject, name: me.display_name ?? bare }
  const found = await ctx.state.resolve(me.community_id, bare)
  return found ? { subject: found.subject, name: found.display_name ?? bare } : undefined
}

const unknown = (typed: string) => `I haven't seen ${at(typed)} chat here yet.`

async function points(ctx: Ctx): Promise<string> {
  const me = personOf(ctx.request)
  const typed = ctx.args[0]
  const who = typed ? await find(ctx, typed) : { subject: me.subject, name: me.display_name ?? me.name ?? 'you' }
  if (!who) return unknown(typed!)
  const s = await ctx.state.standing(me.community_id, who.subject)
  return `${at(who.name)} has ${s.points} point${Math.abs(s.points) === 1 ? '' : 's'} (#${s.rank} here).`
}

async function leaderboard(ctx: Ctx): Promise<string> {
  const top = await ctx.state.leaderboard(ctx.request.entity.community_id, 5)
  if (top.length === 0) return 'No points yet: chat, follow or subscribe to get on the board.'
  return `Top ${top.length}: ${top.map((r) => `${r.rank}. ${r.display_name ?? r.name ?? r.subject} (${r.points})`).join(' · ')}`
}

async function give(ctx: Ctx): Promise<string> {
  const me: Person = personOf(ctx.request)
  const settings = await ctx.state.settings.get(me.community_id)
  if (!settings.give_enabled) return '!give is off here. A moderator can turn it on with !reputation give on.'
  const [typed, rawAmount] = ctx.args
  if (!typed || !rawAmount) return 'Usage: !give <user> <points>'
  const amount = Number(rawAmount)
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > MAX_GIVE)
    return `"${rawAmount}" is not an amount: give a whole number from 1 to ${MAX_GIVE.toLocaleString('en')}.`
  const to = await find(ctx, typed)
  if (!to) return unknown(typed)
  if (to.subject === me.subject) return "You can't give points to yourself."
  if (!(await ctx.state.give(me, to, amount))) {
    const mine = await ctx.state.standing(me.community_id, me.subject)
    return `You have ${mine.points} points: not enough to give ${amount}.`
  }
  return `${at(me.display_name ?? me.name ?? '')} gave ${amount} points to ${at(to.name)}.`
}

function describe(s: CommunitySettings): string {
  const p = EVENT_KINDS.map((k) => `${k} ${s.points[k]}`).join(', ')
  const auto =
    s.automod.threshold === null
      ? 'automod off'
      : `automod ${s.automod.action}${s.automod.action === 'timeout' ? ` ${s.automod.duration_s}s` : ''} at ≤ ${s.automod.threshold}`
  return `Points: ${p}; chat cap ${s.message_cap_per_minute}/min; !give ${s.give_enabled ? 'on' : 'off'}; ${auto}.`
}

export const REPUTATION_USAGE =
  'Usage: !reputation [give on|off | set <event> <points> | cap <n> | automod off|<threshold> [warn|delete|timeout|ban] [seconds] | reset]'

/** The patch a `!reputation …` line asks for, or the line explaining what is wrong. */
function patchOf(args: readonly string[]): SettingsPatch | string {
  const [sub, a, b, c] = args.map((x) => x.toLowerCase())
  const int = (v: string | undefined) => (v !== undefined && /^-?\d{1,9}$/.test(v) ? Number(v) : undefined)
  switch (sub) {
    case 'give':
      if (a === 'on' || a === 'off') return { give_enabled: a === 'on' }
      return 'Usage: !reputation give on|off'
    case 'set': {
      if (!a || !(EVENT_KINDS as string[]).includes(a)) return `Events: ${EVENT_KINDS.join(', ')}.`
      const n = int(b)
      if (n === undefined || Math.abs(n) > 1_000_000)
        return 'Usage: !reputation set <event> <points> (-1000000 to 1000000)'
      return { points: { [a as keyof Points]: n } }
    }
    case 'cap': {
      const n = int(a)
      if (n === undefined || n < 0 || n > 1000)
        return 'Usage: !reputation cap <messages a minute that earn points, 0–1000>'
      return { message_cap_per_minute: n }
    }
    case 'automod': {
      if (a === 'off') return { automod: { threshold: null } }
      const threshold = int(a)
      if (threshold === undefined)
        return 'Usage: !reputation automod off | <threshold> [warn|delete|timeout|ban] [seconds]'
      const action = b ?? 'timeout'
      if (!['warn', 'delete', 'timeout', 'ban'].includes(action))
        return 'The action is one of warn, delete, timeout, ban.'
      const seconds = c === undefined ? undefined : int(c)
      if (c !== undefined && (seconds === undefined || seconds < 1 || seconds > 1_209_600))
        return 'The timeout is 1 to 1209600 seconds.'
      return {
        automod: {
          threshold,
          action: action as 'warn' | 'delete' | 'timeout' | 'ban',
          ...(seconds ? { duration_s: seconds } : {}),
        },
      }
    }
    default:
      return REPUTATION_USAGE
  }
}

async function configure(ctx: Ctx): Promise<string> {
  const cid = ctx.request.entity.community_id
  const by = personOf(ctx.request).subject
  if (ctx.args.length === 0) return describe(await ctx.state.settings.get(cid))
  if (ctx.args[0]?.toLowerCase() === 'reset')
    return `Reset. ${describe(await ctx.state.settings.update(cid, {}, by, true))}`
  const patch = patchOf(ctx.args)
  if (typeof patch === 'string') return patch
  return `Saved. ${describe(await ctx.state.settings.update(cid, patch, by))}`
}

export function reputationCommands(): CommandDefinition<ReputationConfig, ReputationService>[] {
  return [
    { name: 'points', summary: 'Your points (or someone else’s) and rank', usage: '[user]', run: points },
    { name: 'leaderboard', aliases: ['top'], summary: 'The five people with the most points', run: leaderboard },
    {
      name: 'give',
      summary: 'Give some of your points to someone (if a moderator allows it)',
      usage: '<user> <points>',
      run: give,
    },
    {
      name: 'reputation',
      summary: 'Point settings for this community (moderators)',
      usage: '[give on|off | set <event> <points> | cap <n> | automod … | reset]',
      permission: 'moderator',
      run: configure,
    },
  ]
}
