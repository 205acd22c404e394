/**
 * `waddlebot start` and `waddlebot run <module>…` from the precompiled lib/ without oclif (bin/lean.mjs
 * hands a command here only when its flags are ones this file reads: `--log-format`, `--config`; help and
 * anything else go through oclif). The settings, checks, output, signals and error line are those of the
 * oclif commands (src/commands/start.ts, run.ts).
 */
import { loadSettings } from '../runtime/config.js'
import { LOG_FORMATS, type LogFormat } from '../runtime/log-pretty.js'
import { hostUntilSignal } from './host-process.js'
import { projectRegistry, runnableModules } from './registry.js'

export { failWith } from './child.js'

export interface LeanCommand {
  readonly verb: 'start' | 'run'
  /** `run`'s module names, as typed (`collector twitch` included). */
  readonly names: readonly string[]
  readonly logFormat?: string
  readonly config?: string
}

/**
 * Hosts the command's modules until SIGINT/SIGTERM (a TypeScript project module among them gets tsx
 * registered when it is imported). Resolves false, having started nothing, when `--log-format` has a value
 * oclif must refuse: the caller then runs the command through oclif.
 */
export async function runLean(command: LeanCommand, say = (line: string) => process.stdout.write(`${line}\n`)) {
  if (command.logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(command.logFormat)) return false
  const loaded = loadSettings({ configPath: command.config })
  const settings = command.logFormat ? { ...loaded, logFormat: command.logFormat as LogFormat } : loaded
  const registry = projectRegistry(settings)
  const names =
    command.verb === 'start' ? registry.runnable().map((e) => e.name) : runnableModules(registry, command.names)
  if (['debug', 'trace'].includes(settings.logLevel)) say('debug: running from lib/ (precompiled, without tsx)')
  await hostUntilSignal(settings, command.verb === 'start' ? undefined : names, say)
  return true
}
