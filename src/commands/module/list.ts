import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { projectRegistry } from '../../cli/registry.js'
import type { RegistryEntry } from '../../runtime/registry.js'

export interface ModuleRow {
  name: string
  kind: string
  /** The port it listens on, offset applied; null for a module without one (in-process only). */
  port: number | null
  enabled: boolean
  /** `available`, `not available` (seed module not built yet) or `error: <reason>` (failed to load). */
  status: string
  source: 'seed' | 'project'
  /** e.g. `!ping`, `#play`. */
  commands: string[]
}

export default class ModuleList extends BaseCommand<typeof ModuleList> {
  static override summary = 'List modules: kind, port, enabled, status and commands'
  static override description =
    'Every built-in module (those not built yet show as not available) and every project module of waddlebot.yaml. Ports include WADDLEBOT_PORT_OFFSET.'
  static override examples = ['<%= config.bin %> module list', '<%= config.bin %> module list --json']
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(ModuleList)
    const settings = this.settings(flags)
    const registry = projectRegistry(settings)
    const rows = await Promise.all(
      registry.entries.map((e) => describe(e, e.port > 0 ? registry.portOf(e.name) : null)),
    )
    if (flags.json) return this.log(JSON.stringify(rows))
    const table = [['NAME', 'KIND', 'PORT', 'ENABLED', 'STATUS', 'SOURCE', 'COMMANDS']]
    for (const r of rows) {
      table.push([
        r.name,
        r.kind,
        r.port === null ? '-' : String(r.port),
        r.enabled ? 'yes' : 'no',
        r.status,
        r.source,
        r.commands.join(' ') || '-',
      ])
    }
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
    for (const row of table)
      this.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
  }
}

/** Loads an available module to read its commands; a module that fails to load is reported, not fatal. */
async function describe(entry: RegistryEntry, port: number | null): Promise<ModuleRow> {
  const row: ModuleRow = {
    name: entry.name,
    kind: entry.kind,
    port,
    enabled: entry.enabled,
    status: entry.available ? 'available' : 'not available',
    source: entry.source,
    commands: [],
  }
  if (!entry.available) return row
  try {
    const def = await entry.load()
    row.kind = def.kind
    row.commands = (def.commands ?? []).map((c) => `${c.prefix ?? '!'}${c.name}`)
  } catch (error) {
    const e = error as Error & { params?: { reason?: unknown } }
    row.status = `error: ${typeof e.params?.reason === 'string' ? e.params.reason : e.message}`.split('\n')[0]!
  }
  return row
}
