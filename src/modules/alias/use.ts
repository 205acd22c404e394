/**
 * Using a custom command: the router's catch-all (`!*`) hands this module every `!word` no other command
 * claims. Unknown or disabled ⇒ no reply (the router answers `unknown_command`). Otherwise the alias's own
 * permission level and cooldowns are checked against the caller (roles from the event), its text expanded,
 * and an alias whose text is a command (`!so {touser}`) is handed back to the router as a `command`
 * response: the router runs it as the same caller, with the caller's own roles (docs/alias.md).
 */
import type { ExecutionResponse } from '../../contract/responses.js'
import type { Cache } from '../../runtime/cache/types.js'
import { type CommandContext, permissionRank, type Reply, userLevel } from '../../runtime/module.js'
import { liveSince } from '../router/public.js'
import type { AliasBook, AliasRow } from './store.js'
import { bumpCount } from './store.js'
import { expand, formatDuration, uses } from './template.js'
import { NAME_RULE } from './service.js'

/** The alias module's state (what `setup` builds). */
export interface AliasState {
  readonly book: AliasBook
  readonly now: () => number
}

/** Longest chat line a custom command sends (platform limits are about 500). */
const MAX_CHAT = 500
/** Longest command line handed back to the router (what `commandResponseSchema` accepts). */
const MAX_COMMAND = 2000
const COMMAND_TEXT = /^[!#][\p{L}\p{N}_-]/u

export async function useAlias(ctx: CommandContext<unknown, AliasState>): Promise<Reply> {
  const { request } = ctx
  const name = request.command.slice(1)
  if (request.command[0] !== '!' || !NAME_RULE.test(name)) return undefined
  const alias = await ctx.state.book.lookup(request.entity.community_id, name)
  if (!alias?.enabled) return undefined
  const who = request.user.display_name ?? request.user.name
  if (userLevel(request.user.roles) < permissionRank(alias.permission_level))
    return `@${who} !${name} is for ${alias.permission_level}s and above.`
  const now = ctx.state.now()
  if (alias.cooldown_ms > 0 || alias.user_cooldown_ms > 0) {
    const waited = await cooldown(ctx.cache, alias, request.user.id, now)
    if (waited !== undefined) return `@${who} !${name} is on cooldown, ${Math.max(1, Math.ceil(waited / 1000))} s left.`
  }
  const text = alias.response
  const live = uses(text, 'uptime') ? await liveSince(ctx.storage, request.entity.id) : undefined
  const expanded = expand(text, {
    user: who,
    args: request.args,
    channel: request.entity.channel_id,
    now,
    count: uses(text, 'count') ? await bumpCount(ctx.storage, alias.id) : undefined,
    uptime:
      live === undefined
        ? uses(text, 'uptime')
          ? 'unknown'
          : undefined
        : live === null
          ? 'offline'
          : formatDuration(now - live),
  }).trim()
  if (expanded === '') return `!${name} has nothing to say here.`
  if (COMMAND_TEXT.test(text.trimStart()))
    return { type: 'command', message: expanded.slice(0, MAX_COMMAND) } satisfies ExecutionResponse
  return expanded.length > MAX_CHAT ? `${expanded.slice(0, MAX_CHAT - 1)}…` : expanded
}

/**
 * Takes the alias's cooldowns (per user, then global) for this use; the milliseconds left when one is
 * still running. A set-if-absent lock per window, so two processes never both let a use through.
 */
async function cooldown(cache: Cache, alias: AliasRow, userId: string, now: number): Promise<number | undefined> {
  const base = `alias:cd:${alias.community_id}:${alias.name}`
  const windows: [string, number][] = []
  if (alias.user_cooldown_ms > 0) windows.push([`${base}:u:${userId}`, alias.user_cooldown_ms])
  if (alias.cooldown_ms > 0) windows.push([base, alias.cooldown_ms])
  const taken: { release(): Promise<void> }[] = []
  for (const [key, ms] of windows) {
    const lock = await cache.tryLock(key, ms)
    if (!lock) {
      await Promise.all(taken.map((t) => t.release()))
      const until = await cache.get<number>(`${key}:until`)
      return until === undefined ? ms : Math.max(0, until - now)
    }
    taken.push(lock)
    await cache.set(`${key}:until`, now + ms, ms)
  }
  return undefined
}
