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
    if (keys.length === 0) return this.log('No API keys. Create one with `waddlebot keys create <name> --scope collector`.')
    for (const k of keys) {
      const state = k.revoked_at ? `revoked ${new Date(k.revoked_at).toISOString()}` : 'active'
      this.log(`${k.id}  ${k.scope.padEnd(9)} ${k.name.padEnd(20)} ${k.key_prefix}…  ${state}`)
    }
  }
}
