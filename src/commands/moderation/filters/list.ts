import { Flags } from '@oclif/core'
import { BaseCommand } from '../../../cli/base-command.js'
import { communityOf, settingsFor, withRouterStorage } from '../../../cli/router-filters.js'
import { describeAction, describeFilter, FILTER_NAMES } from '../../../modules/router/public.js'

export default class ModerationFiltersList extends BaseCommand<typeof ModerationFiltersList> {
  static override summary = 'Show the spam filters in force for a community or one channel'
  static override description = 'Every setting is shown as `filters set` takes it. See docs/moderation.md#spam-filters.'
  static override flags = {
    community: Flags.string({ description: 'community id (default: the entity’s community, else "default")' }),
    entity: Flags.string({ description: 'a channel (platform:server:channel): its own settings over its community’s' }),
    json: Flags.boolean({ description: 'print the settings as JSON' }),
  }
  static override examples = [
    '<%= config.bin %> moderation filters list',
    '<%= config.bin %> moderation filters list --entity twitch:chan:chan --json',
  ]

  async run(): Promise<void> {
    const { flags } = await this.parse(ModerationFiltersList)
    const { community, compiled } = await withRouterStorage(this.settings(flags), async (db) => {
      const community = flags.community ?? (flags.entity ? await communityOf(db, flags.entity) : 'default')
      return { community, compiled: await settingsFor(db, community, flags.entity) }
    })
    const { settings } = compiled
    if (flags.json) return this.log(JSON.stringify({ community, entity: flags.entity ?? null, filters: settings }))
    this.log(`Spam filters of community ${community}${flags.entity ? `, channel ${flags.entity}` : ''}:`)
    for (const name of FILTER_NAMES) {
      const s = settings[name]
      const exempt = [...s.exempt, ...s.exempt_labels.map((l) => `label:${l}`)].join(',') || 'nobody'
      this.log(
        `  ${name.padEnd(14)} ${s.enabled ? 'on ' : 'off'}  ${describeFilter(name, settings).padEnd(52)} → ${describeAction(s)}  (exempt: ${exempt})`,
      )
    }
    this.log('Change one with `waddlebot moderation filters set <filter> <key>=<value>`.')
  }
}
