import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { revokeApiKey } from '../../runtime/api-keys.js'

export default class KeysRevoke extends BaseCommand<typeof KeysRevoke> {
  static override summary = 'Revoke an API key by id (see `keys list`)'
  static override args = { id: Args.string({ description: 'key id', required: true }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysRevoke)
    await withStorage(this.settings(flags), (db) => revokeApiKey(db, args.id))
    this.log(`Revoked key ${args.id}.`)
  }
}
