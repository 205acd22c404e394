import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { createApiKey, KEY_SCOPES, type KeyScope } from '../../runtime/api-keys.js'
import { kongMirror } from '../../runtime/kong-outbox.js'

export default class KeysCreate extends BaseCommand<typeof KeysCreate> {
  static override summary = 'Create an API key (shown once, stored hashed)'
  static override args = { name: Args.string({ description: 'a name to recognise the key by', required: true }) }
  static override flags = {
    scope: Flags.string({
      description: 'collector: send events · module: answer executions · admin: everything',
      options: [...KEY_SCOPES],
      required: true,
    }),
    json: Flags.boolean({ description: 'print the key as JSON' }),
  }
  static override examples = [
    '<%= config.bin %> keys create twitch-1 --scope collector',
    '<%= config.bin %> keys create ops --scope admin --json',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(KeysCreate)
    const settings = this.settings(flags)
    const created = await withStorage(settings, (db) =>
      createApiKey(db, args.name, flags.scope as KeyScope, kongMirror(settings)),
    )
    if (flags.json) return this.log(JSON.stringify(created))
    this.log(`Created ${created.scope} key ${created.id} (${created.name}). It is shown only now:`)
    this.log(created.key)
  }
}
