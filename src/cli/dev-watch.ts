/**
 * The watch of `waddlebot dev`: each hosted project module's folder and waddlebot.yaml. A save reloads the
 * module in place (Runtime.reload); a failed reload prints one error line with the file and line, and the
 * previous version keeps answering. A changed `modules.<name>` entry of waddlebot.yaml reloads that module
 * with its new config.
 */
import { type FSWatcher, watch } from 'node:fs'
import { basename, dirname } from 'node:path'
import { loadSettings, type Settings } from '../runtime/config.js'
import { isWaddleError } from '../runtime/errors.js'
import type { Runtime } from '../runtime/host.js'

/** Saves closer together than this count as one (editors write a file in several steps). */
const SETTLE_MS = 120

export function watchProject(runtime: Runtime, say: (line: string) => void, warn: (line: string) => void): () => void {
  let settings = runtime.settings
  const watchers: FSWatcher[] = []
  const timers = new Map<string, NodeJS.Timeout>()
  const later = (key: string, fn: () => Promise<void>) => {
    clearTimeout(timers.get(key))
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key)
        fn().catch((err: unknown) => warn(errorLine(err)))
      }, SETTLE_MS),
    )
  }
  const reload = async (name: string, next?: Settings) => {
    try {
      const h = await runtime.reload(name, next ? { settings: next } : undefined)
      say(
        `reloaded ${name} (${(h.def.commands ?? []).map((c) => `${c.prefix ?? '!'}${c.name}`).join(' ') || 'no commands'})`,
      )
    } catch (error) {
      warn(errorLine(error))
    }
  }
  const projectModules = runtime.registry.entries.filter(
    (e) => e.reload && e.path && runtime.hosted.some((h) => h.def.name === e.name),
  )
  for (const entry of projectModules) {
    const w = watch(entry.path!, { recursive: true }, (_event, file) => {
      const f = String(file ?? '')
      if (f.includes('node_modules') || /\.test\.[cm]?[jt]s$/.test(f) || !/\.(m?[jt]s|json)$/.test(f)) return
      later(entry.name, () => reload(entry.name))
    })
    watchers.push(w)
  }
  const configFile = settings.configFile
  if (configFile) {
    const w = watch(dirname(configFile), (_event, file) => {
      if (String(file) !== basename(configFile)) return
      later('waddlebot.yaml', async () => {
        const next = loadSettings({ configPath: configFile, env: settings.env })
        const before = settings
        settings = next
        for (const entry of projectModules) {
          if (JSON.stringify(before.modules[entry.name]) !== JSON.stringify(next.modules[entry.name]))
            await reload(entry.name, next)
        }
        const added = Object.keys(next.modules).filter((m) => !(m in before.modules))
        const removed = Object.keys(before.modules).filter((m) => !(m in next.modules))
        if (added.length + removed.length > 0)
          say(
            `waddlebot.yaml adds or removes modules (${[...added, ...removed].join(', ')}): restart \`waddlebot dev\` for that`,
          )
      })
    })
    watchers.push(w)
  }
  say(
    `Watching ${projectModules.map((e) => e.name).join(', ') || 'no project modules'}${configFile ? ' and waddlebot.yaml' : ''}; a save reloads the module.`,
  )
  return () => {
    for (const t of timers.values()) clearTimeout(t)
    for (const w of watchers) w.close()
  }
}

function errorLine(error: unknown): string {
  if (isWaddleError(error)) return `error ${error.code}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`
  return `error: ${(error as Error).message ?? String(error)}`
}
