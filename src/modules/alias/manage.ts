/**
 * `!alias …` / `!command …` in chat: add, edit, remove|rm, list, show, set (permission, cooldowns), enable,
 * disable. Reading is for everyone; changes are for moderators and above (roles from the event). Every
 * mistake gets one friendly line.
 */
import { type CommandContext, permissionRank, type Reply, userLevel } from '../../runtime/module.js'
import {
  addAlias,
  clip,
  describeAlias,
  editAlias,
  type EditOutcome,
  MAX_COOLDOWN_MS,
  nameProblem,
  normalizeName,
  removeAlias,
} from './service.js'
import { type AliasPatch, announceChanged, getAlias, listAliases } from './store.js'
import type { AliasState } from './use.js'

type Ctx = CommandContext<unknown, AliasState>

const EDITS = new Set(['add', 'edit', 'remove', 'rm', 'delete', 'del', 'set', 'enable', 'disable'])
const SETTINGS: Record<string, string> = {
  permission: 'permission_level',
  level: 'permission_level',
  cooldown: 'cooldown_ms',
  usercooldown: 'user_cooldown_ms',
  'user-cooldown': 'user_cooldown_ms',
}

const usage = (word: string) =>
  `Usage: ${word} add|edit <name> <text or !command …> · ${word} remove <name> · ${word} list · ${word} show <name> · ` +
  `${word} set <name> permission|cooldown|usercooldown <value> · ${word} enable|disable <name>`

/** The text after `!alias add <name>` as typed (spacing and quotes kept; one pair of outer quotes removed). */
function textAfterName(raw: string): string {
  const m = /^\s*\S+\s+\S+\s+\S+\s+([\s\S]*)$/.exec(raw)
  const text = (m?.[1] ?? '').trim()
  const quoted = /^"([\s\S]*)"$/.exec(text) ?? /^“([\s\S]*)”$/.exec(text)
  return quoted ? (quoted[1] ?? '') : text
}

async function changed(ctx: Ctx, outcome: EditOutcome, done: (name: string) => string): Promise<Reply> {
  if (!outcome.ok) return `Can't do that: ${outcome.message}`
  ctx.state.book.forget(ctx.request.entity.community_id)
  await announceChanged(ctx.cache, ctx.request.entity.community_id)
  return done(outcome.alias.name)
}

export async function manageAliases(ctx: Ctx): Promise<Reply> {
  const { request, args } = ctx
  const word = request.command.startsWith('!') ? request.command : `!${request.command}`
  const verb = args[0]?.toLowerCase()
  const community = request.entity.community_id
  const who = request.user.display_name ?? request.user.name
  if (!verb) return usage(word)
  if (EDITS.has(verb) && userLevel(request.user.roles) < permissionRank('moderator'))
    return `@${who} only moderators and above may change custom commands.`
  const name = args[1]
  if (verb === 'list') return listLine(ctx)
  if (!name) return verb === 'add' || EDITS.has(verb) || verb === 'show' ? usage(word) : unknownVerb(word, verb)
  switch (verb) {
    case 'show': {
      const problem = nameProblem(normalizeName(name))
      if (problem) return `Can't do that: ${problem}`
      const alias = await getAlias(ctx.storage, community, normalizeName(name))
      return alias ? describeAlias(alias) : `There is no custom command !${normalizeName(name)}.`
    }
    case 'add':
    case 'edit': {
      const text = textAfterName(request.raw_message)
      if (!text) return `Usage: ${word} ${verb} <name> <text or !command …>`
      const outcome =
        verb === 'add'
          ? await addAlias(ctx.storage, community, { name, response: text, created_by: request.user.name })
          : await editAlias(ctx.storage, community, name, { response: text })
      return changed(ctx, outcome, (n) => (verb === 'add' ? `Added !${n}.` : `Updated !${n}.`))
    }
    case 'remove':
    case 'rm':
    case 'delete':
    case 'del': {
      const removed = await removeAlias(ctx.storage, community, name)
      if (!removed.ok) return `Can't do that: ${removed.message}`
      ctx.state.book.forget(community)
      await announceChanged(ctx.cache, community)
      return `Removed !${removed.name}.`
    }
    case 'enable':
    case 'disable':
      return changed(ctx, await editAlias(ctx.storage, community, name, { enabled: verb === 'enable' }), (n) =>
        verb === 'enable' ? `!${n} is on.` : `!${n} is off.`,
      )
    case 'set':
      return setting(ctx, word, name, args[2], args[3])
    default:
      return unknownVerb(word, verb)
  }
}

function unknownVerb(word: string, verb: string): string {
  return `${word} has no "${clip(verb, 20)}". ${usage(word)}`
}

async function setting(ctx: Ctx, word: string, name: string, key?: string, value?: string): Promise<Reply> {
  const column = key ? SETTINGS[key.toLowerCase()] : undefined
  if (!column || value === undefined)
    return `Usage: ${word} set <name> permission <level> | cooldown <s> | usercooldown <s>`
  let patch: AliasPatch
  if (column === 'permission_level') patch = { permission_level: value.toLowerCase().replace(/s$/, '') }
  else {
    const seconds = Number(value.replace(/s$/i, ''))
    if (!Number.isFinite(seconds) || seconds < 0 || seconds * 1000 > MAX_COOLDOWN_MS)
      return `Can't do that: a cooldown is 0 to 86400 seconds.`
    patch = { [column]: Math.round(seconds * 1000) }
  }
  return changed(
    ctx,
    await editAlias(ctx.storage, ctx.request.entity.community_id, name, patch),
    (n) => `Updated !${n}.`,
  )
}

async function listLine(ctx: Ctx): Promise<string> {
  const rows = await listAliases(ctx.storage, ctx.request.entity.community_id)
  if (rows.length === 0) return 'No custom commands yet. Moderators add one with !alias add <name> <text>.'
  const names = rows.map((r) => `!${r.name}${r.enabled ? '' : ' (off)'}`)
  let line = `Custom commands (${rows.length}): `
  let shown = 0
  for (const n of names) {
    if (line.length + n.length + 2 > 440) break
    line += shown === 0 ? n : `, ${n}`
    shown++
  }
  return shown < names.length ? `${line} … and ${names.length - shown} more` : line
}
