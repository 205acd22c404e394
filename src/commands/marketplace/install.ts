import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { announceCommandsChanged, cliActor, withMarketStorage } from '../../cli/marketplace-session.js'
import { install } from '../../modules/marketplace/public.js'

export default class MarketplaceInstall extends BaseCommand<typeof MarketplaceInstall> {
  static override summary = 'Install a community module in a community (its # commands work there only)'
  static override args = { module: Args.string({ description: 'the module name', required: true }) }
  static override flags = {
    community: Flags.string({ description: 'community id or name', required: true }),
    version: Flags.string({ description: 'the version (default: the latest)' }),
    approve: Flags.string({ description: 'the scopes you approve, comma-separated (e.g. chat:write,overlay:write)' }),
    json: Flags.boolean({ description: 'print the installation as JSON' }),
  }
  static override examples = [
    '<%= config.bin %> marketplace install weather --community penguin-club --approve chat:write,overlay:write',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MarketplaceInstall)
    const settings = this.settings(flags)
    const done = await withMarketStorage(settings, (db) =>
      install(db, {
        community: flags.community,
        module: args.module,
        version: flags.version,
        approveScopes: (flags.approve ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        actor: cliActor(),
        env: settings.env,
      }),
    )
    await announceCommandsChanged(settings)
    if (flags.json) return this.log(JSON.stringify(done))
    this.log(`Installed ${done.module} ${done.version} in community ${flags.community}: ${done.commands.join(' ')}.`)
  }
}
