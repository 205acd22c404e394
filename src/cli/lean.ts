/**
 * `waddlebot start` and `waddlebot run <module>…` from the precompiled lib/ with plain `node`: no tsx (on
 * Node 20 its module hooks run a second V8 isolate in a thread of their own) and no oclif. bin/lean.mjs
 * hands a command here only when its flags are ones this file reads (`--log-format`, `--config`); help,
 * anything else, and every other command go through oclif and tsx as before. The settings, checks, output,
 * signals and error line are those of the oclif commands (src/commands/start.ts, run.ts).
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
 * Hosts the command's modules until SIGINT/SIGTERM. Resolves false, having started nothing, when one of
 * them is a project module (its TypeScript needs tsx) or `--log-format` has a value oclif must refuse: the
 * caller then runs the command the usual way.
 */
export async function runLean(command: LeanCommand, say = (line: string) => process.stdout.write(`${line}\n`)) {
  if (command.logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(command.logFormat)) return false
  const loaded = loadSettings({ configPath: command.config })
  const settings = command.logFormat ? { ...loaded, logFormat: command.logFormat as LogFormat } : loaded
  const registry = projectRegistry(settings)
  const names =
    command.verb === 'start' ? registry.runnable().map((e) => e.name) : runnableModules(registry, command.names)
  if (names.some((name) => registry.get(name)?.source !== 'seed')) return false
  if (['debug', 'trace'].includes(settings.logLevel)) say('debug: running from lib/ (precompiled, without tsx)')
  await hostUntilSignal(settings, command.verb === 'start' ? undefined : names, say)
  return true
}
