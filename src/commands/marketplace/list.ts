import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withMarketStorage } from '../../cli/marketplace-session.js'
import { installedIn, searchModules } from '../../modules/marketplace/public.js'

export default class MarketplaceList extends BaseCommand<typeof MarketplaceList> {
  static override summary = 'List published modules, or (--installed) those a community installed'
  static override flags = {
    installed: Flags.boolean({ description: "list one community's installed modules" }),
    community: Flags.string({ description: 'community id or name (with --installed)', default: 'default' }),
    json: Flags.boolean({ description: 'print as JSON' }),
  }
  static override examples = ['<%= config.bin %> marketplace list --installed --community penguin-club']

  async run(): Promise<void> {
    const { flags } = await this.parse(MarketplaceList)
    const settings = this.settings(flags)
    if (!flags.installed) {
      const all = await withMarketStorage(settings, (db) => searchModules(db))
      if (flags.json) return this.log(JSON.stringify(all))
      for (const m of all) this.log(`${m.name} ${m.latest_version}  ${m.commands.join(' ')}  ${m.summary}`)
      return
    }
    const rows = await withMarketStorage(settings, (db) => installedIn(db, flags.community))
    if (flags.json) return this.log(JSON.stringify(rows))
    if (rows.length === 0) return this.log(`No community modules installed in ${flags.community}.`)
    for (const r of rows)
      this.log(
        `${r.module} ${r.version}  ${r.enabled ? 'enabled ' : 'disabled'}  ${r.commands.join(' ')}  scopes ${r.scopes.join(',') || 'none'}`,
      )
  }
}
