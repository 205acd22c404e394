/**
 * The lean entry of a `waddlebot up` child that hosts built-in modules: `node lib/cli/child.js <module>…`,
 * run from the precompiled lib/ (bin/build-lib.mjs) with plain `node`. It registers no module hooks (no
 * tsx, no resolve hook) and loads no oclif, and otherwise does what `waddlebot run <module>…` does with the
 * environment the supervisor gives it: the same settings (waddlebot.yaml, WADDLEBOT_CONFIG,
 * WADDLEBOT_LOG_FORMAT, .env), the same checks, the same output, the same signals and the same error line
 * and exit code. Project modules never come here: their TypeScript needs tsx (src/commands/up.ts decides).
 */
import { pathToFileURL } from 'node:url'
import { loadSettings } from '../runtime/config.js'
import { isWaddleError, WaddleError } from '../runtime/errors.js'
import { hostUntilSignal } from './host-process.js'
import { projectRegistry, runnableModules } from './registry.js'

/** `waddlebot run <names>` without oclif: the modules must be built-in ones. */
export async function runBuiltins(argv: readonly string[]): Promise<void> {
  const settings = loadSettings({})
  const registry = projectRegistry(settings)
  const names = runnableModules(registry, argv)
  for (const name of names) {
    if (registry.get(name)?.source !== 'seed')
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'modules',
        reason: `${name} is a project module: run it with \`waddlebot run ${name}\``,
      })
  }
  await hostUntilSignal(settings, names, (line) => process.stdout.write(`${line}\n`))
}

/** The one-line error of every waddlebot command (src/cli/base-command.ts); exits with the error's code, as oclif does. */
export function failWith(err: unknown): never {
  const e = isWaddleError(err)
    ? err
    : new WaddleError(
        'WB_FAILED',
        { reason: (err instanceof Error ? err.message : '').split('\n')[0] || String(err) },
        { cause: err },
      )
  process.stderr.write(`error ${e.code}: ${e.message} (${e.hint})\n`)
  process.exit(e.exitCode)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runBuiltins(process.argv.slice(2)).catch(failWith)
}
