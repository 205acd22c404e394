/**
 * `!label` for moderators (alias `!labels`):
 *   add <user> <label> [30m|12h|7d|2w]  ·  remove <user> <label>  ·  list [user]  ·  who <label>
 * `<user>` is a chat name (`@ann` or `ann`), resolved to the person's label key through the reputation
 * module's directory of people seen chatting here, else earlier labels; `twitch:12345` names a platform user
 * id directly. Every refusal is one friendly line.
 */
import { isWaddleError } from '../../runtime/errors.js'
import type { CommandContext, CommandDefinition } from '../../runtime/module.js'
import { ReputationClient } from '../reputation/public.js'
import { LABEL_PATTERN, type LabelsConfig, userTargetId } from './schemas.js'
import type { LabelStore } from './store.js'

type Ctx = CommandContext<LabelsConfig, LabelStore>

export const LABEL_USAGE = 'Usage: !label add <user> <label> [7d] | remove <user> <label> | list [user] | who <label>'

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** `30m`, `12h`, `7d`, `2w` → ms; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,4})([mhdw])$/i.exec(text)
  if (!m) return undefined
  const ms = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!
  return ms > 0 ? ms : undefined
}

function describeDuration(ms: number): string {
  for (const [unit, size] of [
    ['w', UNITS.w!],
    ['d', UNITS.d!],
    ['h', UNITS.h!],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`
  return `${Math.round(ms / 60_000)}m`
}

const PLATFORM_ID = /^(twitch|discord|slack|local):\S+$/

interface Who {
  readonly id: string
  readonly name: string
}

/** The label key of `<user>` as typed in chat, or undefined when nobody by that name is known here. */
async function resolveUser(ctx: Ctx, typed: string): Promise<Who | undefined> {
  const name = typed.replace(/^@/, '')
  const { user, entity } = ctx.request
  if (PLATFORM_ID.test(name)) return { id: name, name }
  if (name.toLowerCase() === user.name.toLowerCase() || name.toLowerCase() === user.display_name?.toLowerCase())
    return { id: userTargetId(user, entity.platform), name: user.display_name ?? user.name }
  if (ctx.modules.runnable().includes('reputation')) {
    const found = await new ReputationClient(ctx.modules).resolve(entity.community_id, name).catch((err: unknown) => {
      ctx.log.warn({ err }, 'reputation did not answer a name lookup')
      return undefined
    })
    if (found) return { id: found.subject, name: found.display_name ?? name }
  }
  const labelled = await ctx.state.userByName(entity.community_id, name)
  return labelled ? { id: labelled, name } : undefined
}

const unknownUser = (typed: string) =>
  `I don't know ${typed.startsWith('@') ? typed : `@${typed}`} here yet: they need to chat first, or give their platform id (e.g. twitch:12345).`

async function add(ctx: Ctx, args: readonly string[]): Promise<string> {
  const [typed, rawLabel, duration] = args
  if (!typed || !rawLabel) return LABEL_USAGE
  const label = rawLabel.toLowerCase()
  if (!LABEL_PATTERN.test(label)) return `"${rawLabel}" is not a label name: use 1–32 letters, digits, - or _.`
  const ttl = duration === undefined ? undefined : parseDuration(duration)
  if (duration !== undefined && ttl === undefined)
    return `"${duration}" is not a duration: use e.g. 30m, 12h, 7d or 2w.`
  const who = await resolveUser(ctx, typed)
  if (!who) return unknownUser(typed)
  try {
    const { created } = await ctx.state.apply({
      community_id: ctx.request.entity.community_id,
      target_type: 'user',
      target_id: who.id,
      label,
      target_name: who.name,
      applied_by: userTargetId(ctx.request.user, ctx.request.entity.platform),
      ...(ttl ? { ttl_ms: ttl } : {}),
    })
    const until = ttl ? ` for ${describeDuration(ttl)}` : ''
    return created ? `Labelled @${who.name} ${label}${until}.` : `@${who.name} already had ${label}; renewed${until}.`
  } catch (error) {
    if (isWaddleError(error) && error.code === 'WB_LABEL_LIMIT')
      return `@${who.name} already has ${error.params.limit} labels here (the limit): remove one first with !label remove ${who.name} <label>.`
    throw error
  }
}

async function remove(ctx: Ctx, args: readonly string[]): Promise<string> {
  const [typed, rawLabel] = args
  if (!typed || !rawLabel) return LABEL_USAGE
  const who = await resolveUser(ctx, typed)
  if (!who) return unknownUser(typed)
  const label = rawLabel.toLowerCase()
  const removed = await ctx.state.remove({
    community_id: ctx.request.entity.community_id,
    target_type: 'user',
    target_id: who.id,
    label,
  })
  return removed ? `Removed ${label} from @${who.name}.` : `@${who.name} does not have ${label}.`
}

async function list(ctx: Ctx, args: readonly string[]): Promise<string> {
  const cid = ctx.request.entity.community_id
  const [typed] = args
  if (!typed) {
    const counts = await ctx.state.counts(cid)
    if (counts.length === 0) return 'No labels in use here yet. Add one: !label add <user> <label>'
    return `Labels here: ${counts.map((c) => `${c.label} (${c.targets})`).join(', ')}`
  }
  const who = await resolveUser(ctx, typed)
  if (!who) return unknownUser(typed)
  const rows = await ctx.state.list({ community_id: cid, target_type: 'user', target_id: who.id })
  if (rows.length === 0) return `@${who.name} has no labels.`
  const now = ctx.state.now()
  const shown = rows.map((r) =>
    r.expires_at === null ? r.label : `${r.label} (${describeDuration(Math.max(60_000, r.expires_at - now))} left)`,
  )
  return `@${who.name}: ${shown.join(', ')}`
}

async function who(ctx: Ctx, args: readonly string[]): Promise<string> {
  const label = args[0]?.toLowerCase()
  if (!label || !LABEL_PATTERN.test(label)) return LABEL_USAGE
  const hits = await ctx.state.search({
    community_id: ctx.request.entity.community_id,
    label: [label],
    target_type: 'user',
    limit: 11,
  })
  if (hits.length === 0) return `Nobody has ${label} here.`
  const names = hits.slice(0, 10).map((h) => `@${h.target_name ?? h.target_id}`)
  return `${label}: ${names.join(', ')}${hits.length > 10 ? ' and more' : ''}`
}

export function labelsCommands(): CommandDefinition<LabelsConfig, LabelStore>[] {
  return [
    {
      name: 'label',
      aliases: ['labels'],
      summary: 'Labels on viewers (moderators)',
      usage: 'add <user> <label> [7d] | remove <user> <label> | list [user] | who <label>',
      permission: 'moderator',
      run(ctx) {
        const [sub, ...rest] = ctx.args
        switch (sub?.toLowerCase()) {
          case 'add':
            return add(ctx, rest)
          case 'remove':
          case 'rm':
            return remove(ctx, rest)
          case 'list':
            return list(ctx, rest)
          case 'who':
            return who(ctx, rest)
          default:
            return LABEL_USAGE
        }
      },
    },
  ]
}
