/** `!memo` — URLs and notes: `add <text>`, `list [page]`, `search <words>`, `<number>`, `del <number>`. */
import type { CommandDefinition } from '../../runtime/module.js'
import { type Ctx, type MemoriesConfig, type MemoriesState, numberArg, rest, userName } from './context.js'
import { formatMemo, memos } from './memos.js'
import { holds } from './roles.js'

const USAGE =
  'Usage: !memo add <url or note> | !memo list [page] | !memo search <words> | !memo <number> | !memo del <number>'
const PAGE = 5

async function add(ctx: Ctx): Promise<string> {
  const text = rest(ctx, 1)
  if (!text) return 'Usage: !memo add <url or note>'
  if (text.length > ctx.config.max_text_length)
    return `That memo is too long (${text.length} characters, at most ${ctx.config.max_text_length}).`
  const num = await memos.add(ctx.storage, ctx.request.entity.community_id, {
    text,
    entityId: ctx.request.entity.id,
    addedBy: ctx.request.user.id,
    addedByName: userName(ctx),
    now: ctx.state.now(),
  })
  return `Memo #${num} saved.`
}

async function list(ctx: Ctx): Promise<string> {
  const page = ctx.args[1] === undefined ? 1 : numberArg(ctx.args[1])
  if (page === undefined || page < 1) return 'Usage: !memo list [page]'
  const rows = await memos.latest(ctx.storage, ctx.request.entity.community_id, PAGE, (page - 1) * PAGE)
  if (rows.length === 0)
    return page === 1 ? 'No memos yet. Save one with !memo add <url or note>' : `No memos on page ${page}.`
  return rows.map(formatMemo).join(' · ')
}

async function search(ctx: Ctx): Promise<string> {
  const words = ctx.args.slice(1)
  if (words.length === 0) return 'Usage: !memo search <words>'
  if (words.join(' ').length > 100) return 'That search is too long (at most 100 characters).'
  const found = await memos.search(ctx.storage, ctx.request.entity.community_id, words, PAGE)
  return found.length ? found.map(formatMemo).join(' · ') : `No memo matches "${words.join(' ')}".`
}

async function remove(ctx: Ctx): Promise<string> {
  const num = numberArg(ctx.args[1])
  if (num === undefined) return 'Usage: !memo del <number>'
  const community = ctx.request.entity.community_id
  const memo = await memos.get(ctx.storage, community, num)
  if (!memo) return `There is no memo #${num}.`
  if (memo.added_by !== ctx.request.user.id && !holds(ctx.request.user.roles, 'moderator'))
    return `Memo #${num} can be deleted by ${memo.added_by_name}, who saved it, or by moderators.`
  await memos.remove(ctx.storage, community, num, ctx.state.now())
  return `Memo #${num} deleted.`
}

export const memoCommand: CommandDefinition<MemoriesConfig, MemoriesState> = {
  name: 'memo',
  aliases: ['memos'],
  summary: 'Save and find URLs and notes',
  usage: 'add <url or note> | list [page] | search <words> | <number> | del <number>',
  async run(ctx) {
    const sub = ctx.args[0]?.toLowerCase()
    if (sub === undefined || sub === 'list') return list(ctx)
    if (sub === 'add') return add(ctx)
    if (sub === 'search' || sub === 'find') return search(ctx)
    if (sub === 'del' || sub === 'delete' || sub === 'remove' || sub === 'rm') return remove(ctx)
    const num = numberArg(sub)
    if (num === undefined) return USAGE
    const memo = await memos.get(ctx.storage, ctx.request.entity.community_id, num)
    return memo ? formatMemo(memo) : `There is no memo #${num}.`
  },
}
