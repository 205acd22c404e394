/** `!remind me|@user in 10m|2h|3d <text>`, `!remind list`, `!remind cancel <id>`. */
import type { CommandDefinition } from '../../runtime/module.js'
import { type Ctx, type MemoriesConfig, type MemoriesState, numberArg, userName } from './context.js'
import { formatDuration, parseDuration } from './duration.js'
import { type Reminder, reminders } from './reminders.js'
import { holds, whoMay } from './roles.js'

const USAGE = 'Usage: !remind me in 10m <text> | !remind @user in 2h <text> | !remind list | !remind cancel <id>'
const USER = /^@?[\p{L}\p{N}_.-]{1,40}$/u

async function create(ctx: Ctx): Promise<string> {
  const [first = '', ...words] = ctx.args
  const self = first.toLowerCase() === 'me'
  if (!self && !first.startsWith('@')) return USAGE
  const target = self ? null : first.slice(1)
  if (target !== null && !USER.test(target)) return `"${first.slice(0, 40)}" is not a user name.`
  const level = ctx.config.remind_others_permission
  if (target !== null && !holds(ctx.request.user.roles, level)) return `Reminding others is for ${whoMay(level)}.`
  if (words[0]?.toLowerCase() !== 'in') return USAGE
  const duration = parseDuration(words.slice(1))
  if (!duration) return `I can't read "${(words[1] ?? '').slice(0, 20)}" as a time: use 10m, 2h, 3d or 1h30m.`
  const text = ctx.args
    .slice(2 + duration.used)
    .join(' ')
    .trim()
  if (!text) return 'What should I remind about? !remind me in 10m <text>'
  if (text.length > ctx.config.max_text_length)
    return `That reminder is too long (${text.length} characters, at most ${ctx.config.max_text_length}).`
  if (duration.ms < 1000) return 'Pick a time at least 1 second from now.'
  if (duration.ms > ctx.config.max_reminder_days * 86_400_000)
    return `Reminders reach at most ${ctx.config.max_reminder_days} days ahead.`
  const entityId = ctx.request.entity.id
  const mine = (await reminders.inChannel(ctx.state.scheduler, entityId)).filter(
    (r) => r.payload.by_id === ctx.request.user.id,
  )
  if (mine.length >= ctx.config.max_reminders_per_user)
    return `You have ${mine.length} reminders pending here, the most allowed. Cancel one with !remind cancel <id>.`
  const r = await reminders.create(ctx.state.scheduler, ctx.state.now() + duration.ms, {
    entity_id: entityId,
    text,
    by_id: ctx.request.user.id,
    by_name: userName(ctx),
    for_name: target,
  })
  const whom = target === null ? 'you' : `@${target}`
  return `Okay ${userName(ctx)}, I'll remind ${whom} in ${formatDuration(duration.ms)} (reminder #${r.id}).`
}

const line = (r: Reminder, now: number) =>
  `#${r.id} in ${formatDuration(r.dueAt - now)}${r.payload.for_name ? ` for @${r.payload.for_name}` : ''}: ${r.payload.text.slice(0, 60)}`

async function list(ctx: Ctx): Promise<string> {
  const all = await reminders.inChannel(ctx.state.scheduler, ctx.request.entity.id)
  const mine = all.filter((r) => reminders.concerns(r, ctx.request.user.id, ctx.request.user.name))
  if (mine.length === 0) return 'You have no reminders pending here.'
  const now = ctx.state.now()
  return mine
    .slice(0, 5)
    .map((r) => line(r, now))
    .join(' · ')
    .concat(mine.length > 5 ? ` · and ${mine.length - 5} more` : '')
}

async function cancel(ctx: Ctx): Promise<string> {
  const id = numberArg(ctx.args[1])
  if (id === undefined) return 'Usage: !remind cancel <id> (see !remind list)'
  const r = await reminders.get(ctx.state.scheduler, id)
  if (!r || r.payload.entity_id !== ctx.request.entity.id) return `There is no reminder #${id} here.`
  if (!reminders.concerns(r, ctx.request.user.id, ctx.request.user.name) && !holds(ctx.request.user.roles, 'moderator'))
    return `Reminder #${id} can be cancelled by ${r.payload.by_name}, who set it, the one it reminds, or moderators.`
  await reminders.cancel(ctx.state.scheduler, id)
  return `Reminder #${id} cancelled.`
}

export const remindCommand: CommandDefinition<MemoriesConfig, MemoriesState> = {
  name: 'remind',
  aliases: ['reminder', 'remindme'],
  summary: 'Reminds you or someone in this channel later',
  usage: 'me|@user in 10m|2h|3d <text> | list | cancel <id>',
  run(ctx) {
    const sub = ctx.args[0]?.toLowerCase()
    if (sub === 'list') return list(ctx)
    if (sub === 'cancel' || sub === 'del' || sub === 'delete' || sub === 'rm') return cancel(ctx)
    if (sub === undefined) return USAGE
    return create(ctx)
  },
}
