/**
 * Re-entry: a module's execution may end with a router-internal `{type: 'command', message}` response (the
 * alias module's `!hi` → `!so {touser}`), asking the router to run `message` as the caller's next command.
 * The router runs it through the whole command path again (lookup, enablement, the caller's OWN roles for
 * the permission check, limits), so a re-entered command can never do what the caller could not type.
 * A chain is at most {@link MAX_REENTRY} steps deep and never visits a command twice (`!a` → `!b` → `!a`):
 * either ends it with one chat line.
 */
import type { ExecutionResponse, Response } from '../../contract/responses.js'
import { type ParsedCommand, parseCommand } from './parse.js'

/** Re-entries per event: `!a` → `!b` → `!c` → `!d` is the longest chain. */
export const MAX_REENTRY = 3

/** What to do after an execution. */
export type NextStep =
  | { readonly kind: 'reply'; readonly responses: Response[] }
  | { readonly kind: 'run'; readonly parsed: ParsedCommand; readonly message: string; readonly responses: Response[] }
  | { readonly kind: 'stop'; readonly responses: Response[] }

/** The platform responses of an execution (a `command` response anywhere it is not allowed is dropped). */
export function platformResponses(responses: readonly ExecutionResponse[]): Response[] {
  return responses.some((r) => r.type === 'command')
    ? responses.filter((r): r is Response => r.type !== 'command')
    : (responses as Response[])
}

/**
 * Decides the step after `command` (the chain so far, oldest first, ends with it) answered `responses`.
 * The first `command` response wins; the others are dropped.
 */
export function nextStep(chain: readonly string[], responses: readonly ExecutionResponse[]): NextStep {
  const redirect = responses.find((r) => r.type === 'command')
  if (!redirect) return { kind: 'reply', responses: responses as Response[] }
  const kept = platformResponses(responses)
  const parsed = parseCommand(redirect.message)
  const stop = (text: string): NextStep => ({ kind: 'stop', responses: [...kept, { type: 'chat', text }] })
  if (!parsed) return stop(`${chain.at(-1)} points to "${clip(redirect.message)}", which is not a command.`)
  const next = `${parsed.prefix}${parsed.name}`
  if (chain.includes(next)) return stop(`${[...chain, next].join(' → ')} is a loop of custom commands; stopped.`)
  if (chain.length > MAX_REENTRY)
    return stop(`${[...chain, next].join(' → ')}: custom commands may chain at most ${MAX_REENTRY} deep; stopped.`)
  return { kind: 'run', parsed, message: redirect.message, responses: kept }
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text
}
