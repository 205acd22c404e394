/**
 * The edits of custom commands, shared by chat (`!alias …`), the REST API and the CLI: name rules,
 * shadowing, and the outcome of each edit as a value (never an exception for a user's mistake).
 */
import { PERMISSION_LEVELS } from '../../runtime/module.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable } from '../../runtime/storage/types.js'
import { type AliasInput, type AliasPatch, type AliasRow, deleteAlias, insertAlias, updateAlias } from './store.js'

export const NAME_RULE = /^[a-z0-9_-]{1,32}$/
export const MAX_RESPONSE = 500
/** Longest cooldown a custom command may have (a day). */
export const MAX_COOLDOWN_MS = 86_400_000

export type EditOutcome =
  | { readonly ok: true; readonly alias: AliasRow }
  | { readonly ok: false; readonly reason: 'invalid' | 'taken' | 'shadows' | 'missing'; readonly message: string }

const fail = (reason: 'invalid' | 'taken' | 'shadows' | 'missing', message: string): EditOutcome => ({
  ok: false,
  reason,
  message,
})

/** A name as typed (`!Hello` → `hello`). */
export function normalizeName(raw: string): string {
  return raw.replace(/^!/, '').toLowerCase()
}

/** Why `name` cannot be a custom command's name, or undefined. */
export function nameProblem(name: string): string | undefined {
  if (!NAME_RULE.test(name)) return `"${clip(name)}" is not a valid name: use 1–32 of a-z, 0-9, _ and -.`
  return undefined
}

/** Why `text` cannot be a custom command's text, or undefined. */
export function responseProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the text is empty.'
  if (text.length > MAX_RESPONSE) return `the text is longer than ${MAX_RESPONSE} characters.`
  return undefined
}

/** The module owning `!name` (a built-in or another module's command or alias), or undefined. */
export async function commandOwner(db: Queryable, name: string): Promise<string | undefined> {
  const rows = await db.query<{ name: string; module: string; aliases: string | null }>(
    sql`select name, module, aliases from commands where prefix = '!' and is_active = 1 and trigger_type <> 'event'`,
  )
  for (const r of rows) {
    if (r.name === name) return r.module
    if (r.aliases && (JSON.parse(r.aliases) as unknown[]).includes(name)) return r.module
  }
  return undefined
}

function checkSettings(patch: AliasPatch): string | undefined {
  if (patch.response !== undefined) {
    const problem = responseProblem(patch.response)
    if (problem) return problem
  }
  if (
    patch.permission_level !== undefined &&
    !(PERMISSION_LEVELS as readonly string[]).includes(patch.permission_level)
  )
    return `"${clip(patch.permission_level)}" is not a level: one of ${PERMISSION_LEVELS.join(', ')}.`
  for (const ms of [patch.cooldown_ms, patch.user_cooldown_ms])
    if (ms !== undefined && (!Number.isInteger(ms) || ms < 0 || ms > MAX_COOLDOWN_MS))
      return 'a cooldown is 0 to 86400 seconds.'
  return undefined
}

/**
 * Adds a custom command. `declared` (the CLI's view of every enabled module's commands, word → module)
 * adds to the `commands` table the names a bot that never ran has not registered yet.
 */
export async function addAlias(
  db: Queryable,
  communityId: string,
  input: AliasInput,
  declared?: ReadonlyMap<string, string>,
): Promise<EditOutcome> {
  const name = normalizeName(input.name)
  const problem = nameProblem(name) ?? checkSettings(input)
  if (problem) return fail('invalid', problem)
  const owner = declared?.get(name) ?? (await commandOwner(db, name))
  if (owner) return fail('shadows', `!${name} is a command of the ${owner} module; pick another name.`)
  const alias = await insertAlias(db, communityId, { ...input, name })
  if (!alias) return fail('taken', `!${name} already exists; use edit to change it.`)
  return { ok: true, alias }
}

export async function editAlias(
  db: Queryable,
  communityId: string,
  rawName: string,
  patch: AliasPatch,
): Promise<EditOutcome> {
  const name = normalizeName(rawName)
  const problem = nameProblem(name) ?? checkSettings(patch)
  if (problem) return fail('invalid', problem)
  const alias = await updateAlias(db, communityId, name, patch)
  return alias ? { ok: true, alias } : fail('missing', `there is no custom command !${name}.`)
}

export async function removeAlias(
  db: Queryable,
  communityId: string,
  rawName: string,
): Promise<{ ok: true; name: string } | { ok: false; message: string }> {
  const name = normalizeName(rawName)
  const problem = nameProblem(name)
  if (problem) return { ok: false, message: problem }
  return (await deleteAlias(db, communityId, name))
    ? { ok: true, name }
    : { ok: false, message: `there is no custom command !${name}.` }
}

/** One line describing an alias: `!hi → Hello {user}! (everyone, cooldown 5 s, per user 30 s, used 3×, disabled)`. */
export function describeAlias(a: AliasRow): string {
  const notes = [a.permission_level]
  if (a.cooldown_ms > 0) notes.push(`cooldown ${a.cooldown_ms / 1000} s`)
  if (a.user_cooldown_ms > 0) notes.push(`per user ${a.user_cooldown_ms / 1000} s`)
  if (a.use_count > 0) notes.push(`count ${a.use_count}`)
  if (!a.enabled) notes.push('disabled')
  return `!${a.name} → ${a.response} (${notes.join(', ')})`
}

export function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
