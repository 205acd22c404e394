// The lean CLI: waddlebot runs from the precompiled lib/ (bin/build-lib.mjs) with plain node, without tsx's
// loader thread: ≈ 40 MB and about half a second less per command. `start` and `run <module>…` skip oclif too
// (src/cli/lean.ts) when their only flags are ones it reads; every other command runs oclif on lib/'s
// commands. tsx (and the resolve hook for `'waddlebot'`) is registered only when a project module, which is
// TypeScript, is first imported (src/runtime/project-loader.ts). Where lib/ cannot be made current (a
// read-only install without it) or WADDLEBOT_LEAN=0, bin/run.js runs the TypeScript sources through tsx.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { register as registerHook } from 'node:module'
import { join } from 'node:path'
import { ensureLib, ROOT } from './build-lib.mjs'

/** `--flag value` / `--flag=value` / `-c value` of the lean commands, by their option key. */
const FLAGS = { '--log-format': 'logFormat', '--config': 'config', '-c': 'config' }

/** The `start` / `run` command in `argv` (process.argv after the script) that skips oclif, or undefined. */
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

/** True when this process can run from lib/: not turned off, and lib/ current (built now if it was not). */
export async function leanReady() {
  if (process.env.WADDLEBOT_LEAN === '0') return false
  return (await ensureLib()).ok
}

/** Leaves the on-demand registration of tsx and the resolve hook for src/runtime/project-loader.ts. */
export function installProjectLoader() {
  let installed
  globalThis[Symbol.for('waddlebot.projectLoader')] = () => {
    installed ??= (async () => {
      const { register } = await import('tsx/esm/api')
      register()
      registerHook('./resolve-hook.mjs', import.meta.url, { data: { lib: true } })
    })()
    return installed
  }
}

/** Runs `start` / `run` without oclif when `argv` is one; false when it is not (nothing was run). */
export async function runLeanCommand(argv) {
  const command = leanArgs(argv)
  if (!command) return false
  const { runLean, failWith } = await import('../lib/cli/lean.js')
  return runLean(command).catch(failWith)
}

/**
 * oclif's options for the commands in lib/: lib/ as the plugin's root (its manifest lives there and goes
 * with each rebuild), package.json's oclif section with paths into lib/.
 */
export function libOclifOptions(root = ROOT) {
  const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const inLib = (path) => path.replace(/^\.\/src\//, './')
  pjson.oclif = {
    ...pjson.oclif,
    commands: inLib(pjson.oclif.commands),
    hooks: Object.fromEntries(Object.entries(pjson.oclif.hooks ?? {}).map(([k, v]) => [k, inLib(v)])),
  }
  return { root: join(root, 'lib'), pjson }
}

/** Writes lib/oclif.manifest.json once per build of lib/, so a command loads only its own file. */
export async function ensureLibManifest(options) {
  const file = join(options.root, 'oclif.manifest.json')
  if (existsSync(file)) return
  try {
    const { Plugin } = await import('@oclif/core')
    const plugin = new Plugin({
      ...options,
      type: 'core',
      isRoot: true,
      ignoreManifest: true,
      errorOnManifestCreate: true,
    })
    await plugin.load()
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(plugin.manifest))
    renameSync(tmp, file) // atomic: CLIs started side by side never read half a file
  } catch {
    // read-only lib/: oclif finds the command without a manifest
  }
}
