/**
 * The built-in modules as the docs show them (README, docs/operators.md), read from the registry and nowhere
 * else, so docs, `module list` and the code cannot disagree. test/docs/docs-sync.test.ts checks the
 * generated tables; `WADDLEBOT_UPDATE_DOCS=1` makes it rewrite them.
 */
import type { Settings } from '../runtime/config.js'
import { projectRegistry } from './registry.js'

export interface ModuleFact {
  readonly name: string
  readonly kind: string
  readonly port: number
  readonly available: boolean
  readonly summary: string
}

export function moduleFacts(settings: Settings): ModuleFact[] {
  return projectRegistry(settings)
    .entries.filter((e) => e.source === 'seed')
    .map((e) => ({ name: e.name, kind: e.kind, port: e.port, available: e.available, summary: e.summary }))
}

export const TABLE_START =
  '<!-- module table: generated from the registry by test/docs/docs-sync.test.ts (WADDLEBOT_UPDATE_DOCS=1 rewrites it) -->'
export const TABLE_END = '<!-- end of module table -->'

export function moduleTableMarkdown(facts: readonly ModuleFact[]): string {
  const rows = facts.map(
    (f) =>
      `| ${f.name} | ${f.kind} | ${f.port} | ${f.port + 100} | ${f.available ? 'available' : 'not available yet'} | ${f.summary} |`,
  )
  return [
    TABLE_START,
    '| module | kind | port | with `WADDLEBOT_PORT_OFFSET=100` | status | what it is |',
    '|---|---|---|---|---|---|',
    ...rows,
    TABLE_END,
  ].join('\n')
}
