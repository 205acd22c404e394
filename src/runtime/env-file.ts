/**
 * Writes secrets into a project's `.env` (mode 0600), never into waddlebot.yaml: a key's line is replaced
 * where it is (also a commented-out `# KEY=` line from .env.example), other lines and comments are kept,
 * new keys are appended. The values are also set on `env`, so the running process sees them at once.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The `.env` of the project folder. */
export function envFilePath(projectDir: string): string {
  return join(projectDir, '.env')
}

/** `KEY=value` lines of a `.env` file (quotes removed); missing file ⇒ empty. */
export function readEnvFile(path: string): Record<string, string> {
  if (!existsSync(path)) return {}
  const out: Record<string, string> = {}
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (m) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2')
  }
  return out
}

function quote(value: string): string {
  if (/[\r\n']/.test(value)) throw new Error('a .env value cannot hold a line break or a single quote')
  return /^[A-Za-z0-9_./:@+,-]*$/.test(value) ? value : `'${value}'`
}

/** Sets `values` in the `.env` at `path` (created when missing) and in `env`. */
export function updateEnvFile(path: string, values: Readonly<Record<string, string>>, env?: NodeJS.ProcessEnv): void {
  const lines = existsSync(path) ? readFileSync(path, 'utf8').replace(/\n$/, '').split(/\r?\n/) : []
  const pending = new Map(Object.entries(values))
  for (const [key, value] of pending) {
    const active = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`).test(l))
    const at = active >= 0 ? active : lines.findIndex((l) => new RegExp(`^\\s*#\\s*${key}\\s*=`).test(l))
    if (at >= 0) {
      lines[at] = `${key}=${quote(value)}`
      pending.delete(key)
    }
  }
  for (const [key, value] of pending) lines.push(`${key}=${quote(value)}`)
  // Write then rename: a reader (another collector process) never sees a half-written file.
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 })
  renameSync(tmp, path)
  chmodSync(path, 0o600)
  if (env) Object.assign(env, values)
}
