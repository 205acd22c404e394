/**
 * oclif's `command_not_found` hook: an unknown command is one coded line with the nearest real command,
 * `error WB_COMMAND_UNKNOWN: unknown command `waddlebot strat` (did you mean `waddlebot start`? …)`,
 * exit 2. (@oclif/plugin-not-found asks a yes/no question on a terminal instead, which breaks the
 * one-line promise, and its current major needs Node 22.)
 */
import type { Hook } from '@oclif/core'
import { WaddleError } from '../runtime/errors.js'
import { commandName } from '../cli/usage-error.js'

const hook: Hook.CommandNotFound = async function (opts) {
  const typed = commandName(opts.id)
  if (typed.startsWith('-'))
    return fail(
      this,
      new WaddleError('WB_USAGE', { command: 'waddlebot', reason: `unknown flag ${typed}`, help: 'waddlebot --help' }),
    )
  const known = [...new Set([...opts.config.commandIDs, ...opts.config.topics.map((t) => t.name)].map(commandName))]
  const nearest = closest(typed, known)
  fail(
    this,
    new WaddleError('WB_COMMAND_UNKNOWN', {
      command: typed,
      suggestion: nearest ? `did you mean \`waddlebot ${nearest}\`? ` : '',
    }),
  )
}

function fail(ctx: Hook.Context, err: WaddleError): void {
  process.stderr.write(`error ${err.code}: ${err.message} (${err.hint})\n`)
  ctx.exit(err.exitCode)
}

export default hook

/** The known name nearest to `typed` by edit distance, if it is near enough to be a typo. */
export function closest(typed: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(typed, name)
    if (!best || distance < best.distance) best = { name, distance }
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined
}

/** Levenshtein distance (a swapped pair of letters counts 2). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    prev = row
  }
  return prev[b.length]!
}
