/** Hosts modules in this process until SIGINT/SIGTERM, then stops them cleanly. */
import type { Settings } from '../runtime/config.js'
import { type Runtime, startRuntime } from '../runtime/host.js'
import { builtinCatalog } from './registry.js'

/** How long the process may linger after a clean stop before it exits anyway. */
const STOP_GRACE_MS = 500

export async function hostUntilSignal(
  settings: Settings,
  modules: readonly string[] | undefined,
  say: (line: string) => void,
  /** Runs once the bot is up (`waddlebot dev` starts its watch); what it returns runs before the stop. */
  onStarted?: (runtime: Runtime) => () => void,
): Promise<void> {
  const runtime = await startRuntime({ settings, catalog: builtinCatalog, ...(modules ? { modules } : {}) })
  const db = settings.database.url.startsWith('sqlite:')
    ? settings.database.url.slice(7)
    : settings.database.url.replace(/\/\/[^@/]*@/, '//***@')
  say(`waddlebot is running (${runtime.storage.dialect} ${db}, cache ${runtime.cache.kind}):`)
  for (const h of runtime.hosted) say(`  ${h.def.name.padEnd(18)} ${h.port > 0 ? h.url : 'in-process'}`)
  // Started through `npm start` (a fresh clone, no `waddlebot` on PATH): name the npx form, as the README does.
  const chat = settings.env.npm_lifecycle_event ? 'npx waddlebot chat' : 'waddlebot chat'
  if (runtime.hosted.some((h) => h.def.name === 'router')) say(`Talk to it with \`${chat}\`. Stop with Ctrl-C.`)
  const beforeStop = onStarted?.(runtime)
  await new Promise<void>((resolve) => {
    let stopping = false
    const stop = (signal: string) => {
      if (stopping) return
      stopping = true
      beforeStop?.()
      runtime.log.info({ signal }, 'stopping')
      runtime.stop().finally(() => {
        // Everything is flushed and closed; a client library's leftover timer (tmi.js's reconnect) must not
        // keep the process up: exit after a grace period unless the event loop empties first.
        setTimeout(() => process.exit(process.exitCode ?? 0), STOP_GRACE_MS).unref()
        resolve()
      })
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
  })
}
