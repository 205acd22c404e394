/** Settings for a test: a fresh temp project folder with its own SQLite file (or the given database). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSettings, type Settings } from '../../src/runtime/config.js'

export interface TestProject {
  readonly dir: string
  readonly settings: Settings
  cleanup(): void
}

export function testProject(options: { yaml?: string; env?: Record<string, string> } = {}): TestProject {
  const dir = mkdtempSync(join(tmpdir(), 'wb-test-'))
  if (options.yaml !== undefined) writeFileSync(join(dir, 'waddlebot.yaml'), options.yaml)
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, WADDLEBOT_LOG_LEVEL: 'silent', ...options.env }
  const settings = loadSettings({ cwd: dir, env })
  return { dir, settings, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
