import { Args, Flags } from '@oclif/core'
import { withAliasStorage } from '../../cli/alias-session.js'
import { BaseCommand } from '../../cli/base-command.js'
import { notifyAliasesChanged, removeAlias } from '../../modules/alias/public.js'
import { WaddleError } from '../../runtime/errors.js'

export default class AliasRemove extends BaseCommand<typeof AliasRemove> {
  static override summary = 'Remove a custom command'
  static override examples = [
    '<%= config.bin %> alias remove hi',
    '<%= config.bin %> alias remove hi --community my-stream',
  ]
  static override args = {
    name: Args.string({ description: 'the command word (a leading ! is dropped)', required: true }),
  }
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AliasRemove)
    const settings = this.settings(flags)
    const removed = await withAliasStorage(settings, (db) => removeAlias(db, flags.community, args.name))
    if (!removed.ok)
      throw new WaddleError('WB_ALIAS_UNKNOWN', {
        name: args.name.replace(/^!/, '').toLowerCase(),
        community: flags.community,
      })
    await notifyAliasesChanged(settings, flags.community)
    if (flags.json) return this.log(JSON.stringify({ removed: removed.name, community_id: flags.community }))
    this.log(`Removed !${removed.name} from community ${flags.community}.`)
  }
}
