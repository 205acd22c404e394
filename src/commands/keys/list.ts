import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { listApiKeys } from '../../runtime/api-keys.js'

export default class KeysList extends BaseCommand<typeof KeysList> {
  static override summary = 'List API keys (never the keys themselves)'
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(KeysList)
    const keys = await withStorage(this.settings(flags), listApiKeys)
    if (flags.json) return this.log(JSON.stringify(keys))
    if (keys.length === 0)
      return this.log('No API keys. Create one with `waddlebot keys create <name> --scope collector`.')
    const rows = [
      ['ID', 'SCOPE', 'NAME', 'PREFIX', 'STATE'],
      ...keys.map((k) => [
        k.id,
        k.scope,
        k.name,
        `${k.key_prefix}…`,
        k.revoked_at ? `revoked ${new Date(Number(k.revoked_at)).toISOString()}` : 'active',
      ]),
    ]
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const r of rows) this.log(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
  }
}
