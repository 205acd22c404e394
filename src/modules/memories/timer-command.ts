/** `!timer add <name> <minutes> <text>`, `list`, `remove|enable|disable <name>`, `lines <name> <M>` (moderators). */
import type { CommandDefinition } from '../../runtime/module.js'
import { type Ctx, type MemoriesConfig, type MemoriesState, rest } from './context.js'
import { holds, whoMay } from './roles.js'
import { TIMER_NAME, type Timer } from './timers.js'

const USAGE =
  'Usage: !timer add <name> <minutes> <text> | !timer list | !timer remove|enable|disable <name> | !timer lines <name> <count>'
const badName = (name: string) => `"${name.slice(0, 40)}" is not a timer name: use 1-32 of a-z, 0-9, _ and -.`

async function add(ctx: Ctx): Promise<string> {
  const [, rawName, minutesWord] = ctx.args
  if (!rawName || !minutesWord) return 'Usage: !timer add <name> <minutes> <text>'
  const name = rawName.toLowerCase()
  if (!TIMER_NAME.test(name)) return badName(rawName)
  const { timer_min_minutes: min } = ctx.config
  const minutes = /^\d{1,5}$/.test(minutesWord) ? Number(minutesWord) : Number.NaN
  if (!Number.isInteger(minutes) || minutes < min || minutes > 1440)
    return `The interval must be a whole number of minutes from ${min} to 1440, not "${minutesWord.slice(0, 20)}".`
  const text = rest(ctx, 3)
  if (!text) return 'What should the timer say? !timer add <name> <minutes> <text>'
  if (text.length > ctx.config.max_text_length)
    return `That text is too long (${text.length} characters, at most ${ctx.config.max_text_length}).`
  const entity = ctx.request.entity
  const existing = await ctx.state.timers.list(entity.id)
  if (existing.length >= ctx.config.max_timers_per_channel)
    return `This channel has ${existing.length} timers, the most allowed. Remove one first.`
  const timer = await ctx.state.timers.add({
    entityId: entity.id,
    communityId: entity.community_id,
    name,
    minutes,
    text,
    createdBy: ctx.request.user.name,
    now: ctx.state.now(),
  })
  if (!timer) return `A timer named ${name} exists here already: remove it first or pick another name.`
  return `Timer ${name} added: every ${minutes} min when at least ${ctx.config.timer_min_lines} chat lines have passed.`
}

const describe = (t: Timer, defaultLines: number) =>
  `${t.name} (${t.interval_minutes} min, ${t.min_lines ?? defaultLines} lines${t.enabled ? '' : ', off'})`

async function named(ctx: Ctx): Promise<Timer | string> {
  const raw = ctx.args[1]
  if (!raw) return `Usage: !timer ${ctx.args[0]?.toLowerCase()} <name>`
  const name = raw.toLowerCase()
  if (!TIMER_NAME.test(name)) return badName(raw)
  return (
    (await ctx.state.timers.find(ctx.request.entity.id, name)) ?? `There is no timer ${name} here (see !timer list).`
  )
}

async function change(ctx: Ctx, sub: string): Promise<string> {
  const timer = await named(ctx)
  if (typeof timer === 'string') return timer
  const timers = ctx.state.timers
  if (sub === 'remove' || sub === 'rm' || sub === 'del' || sub === 'delete') {
    await timers.remove(timer.id)
    return `Timer ${timer.name} removed.`
  }
  if (sub === 'enable' || sub === 'on') {
    await timers.update(timer.id, { enabled: true })
    return `Timer ${timer.name} is on.`
  }
  if (sub === 'disable' || sub === 'off') {
    await timers.update(timer.id, { enabled: false })
    return `Timer ${timer.name} is off.`
  }
  const word = ctx.args[2] ?? ''
  const lines = /^\d{1,5}$/.test(word) ? Number(word) : Number.NaN
  if (!Number.isInteger(lines) || lines > 10_000) return `Usage: !timer lines ${timer.name} <count from 0 to 10000>`
  await timers.update(timer.id, { minLines: lines })
  return `Timer ${timer.name} now waits for ${lines} chat lines between posts.`
}

export const timerCommand: CommandDefinition<MemoriesConfig, MemoriesState> = {
  name: 'timer',
  aliases: ['timers'],
  summary: 'Lines posted every N minutes while chat is active (moderators manage them)',
  usage: 'add <name> <minutes> <text> | list | remove|enable|disable <name> | lines <name> <count>',
  async run(ctx) {
    const sub = ctx.args[0]?.toLowerCase()
    if (sub === undefined || sub === 'list') {
      const all = await ctx.state.timers.list(ctx.request.entity.id)
      if (all.length === 0) return 'No timers here yet. Moderators add one with !timer add <name> <minutes> <text>'
      return `Timers: ${all.map((t) => describe(t, ctx.config.timer_min_lines)).join(', ')}`
    }
    const known = ['add', 'remove', 'rm', 'del', 'delete', 'enable', 'on', 'disable', 'off', 'lines']
    if (!known.includes(sub)) return USAGE
    if (!holds(ctx.request.user.roles, 'moderator')) return `Managing timers is for ${whoMay('moderator')}.`
    return sub === 'add' ? add(ctx) : change(ctx, sub)
  },
}
