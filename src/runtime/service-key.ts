/**
 * The service key: how waddlebot's own processes (router ↔ modules, `waddlebot chat`) authenticate to
 * each other. `WADDLEBOT_SERVICE_KEY` when set (required across machines); otherwise a random key kept in
 * `<data_dir>/service.key` (mode 0600), created on first use and shared by the processes of one machine.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Settings } from './config.js'

export function serviceKeyPath(settings: Settings): string {
  return join(settings.dataDir, 'service.key')
}

export function resolveServiceKey(settings: Settings): string {
  const fromEnv = settings.env.WADDLEBOT_SERVICE_KEY
  if (fromEnv) return fromEnv
  const path = serviceKeyPath(settings)
  if (existsSync(path)) return readFileSync(path, 'utf8').trim()
  mkdirSync(settings.dataDir, { recursive: true })
  const key = `wbot_service_${randomBytes(32).toString('base64url')}`
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' })
    return key
  } catch {
    return readFileSync(path, 'utf8').trim() // another process created it first
  }
}

/** The service key if one exists already (never creates one). */
export function readServiceKey(settings: Settings): string | undefined {
  if (settings.env.WADDLEBOT_SERVICE_KEY) return settings.env.WADDLEBOT_SERVICE_KEY
  const path = serviceKeyPath(settings)
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined
}
