import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { announceCommandsChanged, cliActor, withMarketStorage } from '../../cli/marketplace-session.js'
import { uninstall } from '../../modules/marketplace/public.js'

export default class MarketplaceUninstall extends BaseCommand<typeof MarketplaceUninstall> {
  static override summary = 'Remove a community module from a community (its # commands stop working there)'
  static override args = { module: Args.string({ description: 'the module name', required: true }) }
  static override flags = {
    community: Flags.string({ description: 'community id or name', required: true }),
    json: Flags.boolean({ description: 'print the result as JSON' }),
  }
  static override examples = ['<%= config.bin %> marketplace uninstall weather --community penguin-club']

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MarketplaceUninstall)
    const settings = this.settings(flags)
    await withMarketStorage(settings, (db) =>
      uninstall(db, { community: flags.community, module: args.module, actor: cliActor() }),
    )
    await announceCommandsChanged(settings)
    if (flags.json) return this.log(JSON.stringify({ removed: args.module, community: flags.community }))
    this.log(`Removed ${args.module} from community ${flags.community}.`)
  }
}
