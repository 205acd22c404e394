// The lean path of bin/run.js: `waddlebot start` and `waddlebot run <module>…` run from the precompiled lib/
// (bin/build-lib.mjs) with plain node, without tsx's loader thread and oclif: ≈ 40 MB and a good part of a
// second less per start. Only when every flag is one src/cli/lean.ts reads and lib/ is (or can be made)
// current; otherwise, and for a project module written in TypeScript, the command runs the usual way.
import { ensureLib } from './build-lib.mjs'

/** `--flag value` / `--flag=value` / `-c value` of the lean commands, by their option key. */
const FLAGS = { '--log-format': 'logFormat', '--config': 'config', '-c': 'config' }

/** The lean command in `argv` (process.argv after the script), or undefined when oclif must read it. */
export function leanArgs(argv) {
  const [verb, ...rest] = argv
  if (verb !== 'start' && verb !== 'run') return undefined
  const command = { verb, names: [] }
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]
    const eq = arg.indexOf('=')
    const flag = eq > 0 ? arg.slice(0, eq) : arg
    if (FLAGS[flag]) {
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i]
      if (value === undefined || value === '' || value.startsWith('-')) return undefined
      command[FLAGS[flag]] = value
    } else if (arg.startsWith('-')) return undefined
    else command.names.push(arg)
  }
  if (verb === 'start' ? command.names.length > 0 : command.names.length === 0) return undefined
  return command
}

/**
 * Runs `argv` the lean way when it can; resolves true once the command has run (its modules stopped), false
 * when the caller must run it through oclif. WADDLEBOT_LEAN=0 turns the lean path off.
 */
export async function runLeanCommand(argv) {
  const command = leanArgs(argv)
  if (!command || process.env.WADDLEBOT_LEAN === '0') return false
  const lib = await ensureLib()
  if (!lib.ok) return false
  const { runLean, failWith } = await import('../lib/cli/lean.js')
  return runLean(command).catch(failWith)
}
