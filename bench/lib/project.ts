/** A throwaway bot project for a benchmark: its own folder, database and ports. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSettings, type Settings } from '../../src/runtime/config.js'

export interface BenchProject {
  readonly dir: string
  readonly settings: Settings
  cleanup(): void
}

export function benchProject(env: Record<string, string> = {}, yaml = ''): BenchProject {
  const dir = mkdtempSync(join(tmpdir(), 'wb-bench-'))
  writeFileSync(join(dir, 'waddlebot.yaml'), yaml)
  const settings = loadSettings({ cwd: dir, env: { PATH: process.env.PATH, WADDLEBOT_LOG_LEVEL: 'error', ...env } })
  return { dir, settings, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Percentile of a sorted copy of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits
