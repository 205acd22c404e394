/** `!quote` — random, `#id`, `add "text" [- author]`, `search <words>`, `del <id>` (moderators). */
import type { CommandDefinition } from '../../runtime/module.js'
import { type Ctx, gameKey, type MemoriesConfig, type MemoriesState, numberArg, rest, userName } from './context.js'
import { formatQuote, quotes } from './quotes.js'
import { holds, whoMay } from './roles.js'

const USAGE = 'Usage: !quote [number] | !quote add "text" - author | !quote search <words> | !quote del <number>'

/** `"text" - author`, `text - author` or `text`. */
export function parseQuote(input: string): { text: string; author: string | undefined } {
  const quoted = /^["“](.+?)["”]\s*(?:[-–—~]\s*(.*))?$/su.exec(input)
  if (quoted) return { text: quoted[1]!.trim(), author: quoted[2]?.trim() || undefined }
  const dashed = /^(.+?)\s+[-–—~]\s*([^-–—~]+)$/su.exec(input)
  if (dashed) return { text: dashed[1]!.trim(), author: dashed[2]!.trim() || undefined }
  return { text: input.trim(), author: undefined }
}

async function add(ctx: Ctx): Promise<string> {
  const level = ctx.config.quote_add_permission
  if (!holds(ctx.request.user.roles, level)) return `Adding quotes is for ${whoMay(level)}.`
  const { text, author } = parseQuote(rest(ctx, 1))
  if (!text) return 'Usage: !quote add "text" - author'
  if (text.length > ctx.config.max_text_length)
    return `That quote is too long (${text.length} characters, at most ${ctx.config.max_text_length}).`
  if (author && author.length > 64) return 'That author name is too long (at most 64 characters).'
  const game = await ctx.cache.get<string>(gameKey(ctx.request.entity.id)).catch(() => undefined)
  const num = await quotes.add(ctx.storage, ctx.request.entity.community_id, {
    text,
    author: author ?? null,
    game: game ?? null,
    platform: ctx.request.entity.platform,
    entityId: ctx.request.entity.id,
    addedBy: ctx.request.user.id,
    addedByName: userName(ctx),
    now: ctx.state.now(),
  })
  return `Quote #${num} added.`
}

async function search(ctx: Ctx): Promise<string> {
  const words = ctx.args.slice(1).filter((w) => w.length > 0)
  if (words.length === 0) return 'Usage: !quote search <words>'
  if (words.join(' ').length > 100) return 'That search is too long (at most 100 characters).'
  const found = await quotes.search(ctx.storage, ctx.request.entity.community_id, words, 4)
  if (found.length === 0) return `No quote matches "${words.join(' ')}".`
  const shown = found.slice(0, 3).map(formatQuote).join(' · ')
  return found.length > 3 ? `${shown} · and more: narrow the search.` : shown
}

async function remove(ctx: Ctx): Promise<string> {
  if (!holds(ctx.request.user.roles, 'moderator')) return `Deleting quotes is for ${whoMay('moderator')}.`
  const num = numberArg(ctx.args[1])
  if (num === undefined) return 'Usage: !quote del <number>'
  const done = await quotes.remove(ctx.storage, ctx.request.entity.community_id, num, ctx.state.now())
  return done ? `Quote #${num} deleted.` : `There is no quote #${num}.`
}

async function show(ctx: Ctx, num: number | undefined): Promise<string> {
  const community = ctx.request.entity.community_id
  const q =
    num === undefined ? await quotes.random(ctx.storage, community) : await quotes.get(ctx.storage, community, num)
  if (q) return formatQuote(q)
  return num === undefined ? 'No quotes yet. Add one with !quote add "text" - author' : `There is no quote #${num}.`
}

export const quoteCommand: CommandDefinition<MemoriesConfig, MemoriesState> = {
  name: 'quote',
  aliases: ['quotes'],
  summary: 'Random quote, a quote by number, add, search or delete quotes',
  usage: '[number] | add "text" - author | search <words> | del <number>',
  run(ctx) {
    const sub = ctx.args[0]?.toLowerCase()
    if (sub === undefined || sub === 'random') return show(ctx, undefined)
    if (sub === 'add') return add(ctx)
    if (sub === 'search' || sub === 'find') return search(ctx)
    if (sub === 'del' || sub === 'delete' || sub === 'remove' || sub === 'rm') return remove(ctx)
    const num = numberArg(sub)
    if (num !== undefined) return show(ctx, num)
    return USAGE
  },
}
