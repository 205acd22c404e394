import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withMarketStorage } from '../../cli/marketplace-session.js'
import { searchModules } from '../../modules/marketplace/public.js'

export default class MarketplaceSearch extends BaseCommand<typeof MarketplaceSearch> {
  static override summary = 'Search the published community modules (name, summary, # commands)'
  static override args = { query: Args.string({ description: 'words to look for (none: every module)' }) }
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) }
  static override examples = ['<%= config.bin %> marketplace search weather']

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MarketplaceSearch)
    const found = await withMarketStorage(this.settings(flags), (db) => searchModules(db, args.query ?? ''))
    if (flags.json) return this.log(JSON.stringify(found))
    if (found.length === 0)
      return this.log(args.query ? `No module matches "${args.query}".` : 'The marketplace is empty.')
    for (const m of found) {
      const rating = m.rating === null ? 'no reviews' : `${m.rating}/5 (${m.reviews})`
      this.log(`${m.name} ${m.latest_version}: ${m.summary}`)
      this.log(
        `  commands ${m.commands.join(' ')} · scopes ${m.scopes.join(',') || 'none'} · ${rating} · ${m.installs} installs`,
      )
    }
  }
}
