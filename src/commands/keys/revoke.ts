import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { revokeApiKey } from '../../runtime/api-keys.js'
import { kongMirror } from '../../runtime/kong-outbox.js'

export default class KeysRevoke extends BaseCommand<typeof KeysRevoke> {
  static override summary = 'Revoke an API key by id (see `keys list`)'
  static override args = { id: Args.string({ description: 'key id', required: true }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysRevoke)
    const settings = this.settings(flags)
    await withStorage(settings, (db) => revokeApiKey(db, args.id))
    await kongMirror(settings)?.notify() // the broker removes the Kong credential now rather than at its next pass
    this.log(`Revoked key ${args.id}.`)
  }
}
