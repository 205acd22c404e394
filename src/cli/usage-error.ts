/**
 * oclif's own argument and flag errors (missing argument, unknown flag, bad option, …) as one coded
 * WaddleError, so they print like every other CLI error: `error WB_USAGE: … (see `waddlebot X --help`)`.
 */
import type { Errors } from '@oclif/core'
import { WaddleError } from '../runtime/errors.js'

interface ParseErrorFields {
  args?: { name: string; description?: string }[]
  flags?: string[]
}

/** The CLI-facing command name of an oclif id (`keys:create` → `keys create`). */
export function commandName(id: string | undefined): string {
  return (id ?? '').replaceAll(':', ' ').trim()
}

/** True for an error oclif raised about argv (a parse error, a flag without its value…), not an exit(). */
export function isParseError(err: unknown): err is Errors.CLIError & ParseErrorFields {
  return err instanceof Error && (err as { oclif?: unknown }).oclif !== undefined && !err.message.startsWith('EEXIT')
}

export function usageError(err: Errors.CLIError & ParseErrorFields, id: string | undefined): WaddleError {
  const name = commandName(id)
  return new WaddleError('WB_USAGE', {
    command: name || 'waddlebot',
    reason: reason(err),
    help: name ? `waddlebot ${name} --help` : 'waddlebot --help',
  })
}

function reason(err: Errors.CLIError & ParseErrorFields): string {
  if (err.constructor.name === 'RequiredArgsError' && err.args?.length) {
    return `missing argument ${err.args.map((a) => a.name.toUpperCase() + (a.description ? ` (${a.description})` : '')).join(', ')}`
  }
  if (err.constructor.name === 'NonExistentFlagsError' && err.flags?.length)
    return `unknown flag ${err.flags.join(', ')}`
  return err.message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help/.test(line))
    .join('; ')
}
