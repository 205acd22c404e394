import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../../cli/base-command.js'
import { communityOf, notifyFiltersChanged, withRouterStorage } from '../../../cli/router-filters.js'
import {
  FILTER_NAMES,
  type FilterName,
  formatValue,
  isFilterName,
  resetFilterSettings,
  setFilterSettings,
} from '../../../modules/router/public.js'
import { WaddleError } from '../../../runtime/errors.js'

export default class ModerationFiltersSet extends BaseCommand<typeof ModerationFiltersSet> {
  static override summary = 'Change a spam filter’s settings for a community or one channel'
  static override description =
    'Keys: enabled, action (warn|delete|timeout|ban|escalate), duration, steps (warn,timeout:60,timeout:600), window, delete, reason, ' +
    'exempt (roles), exempt_labels, and per filter: links allow, permit_seconds · caps/symbols min_length, percent · ' +
    'repetition max_char_run, max_word_repeats · emotes max · length max · zalgo max_marks. See docs/moderation.md#spam-filters.'
  static override strict = false
  static override args = {
    filter: Args.string({ description: `one of ${FILTER_NAMES.join(', ')}`, required: true }),
    settings: Args.string({ description: 'key=value pairs (one or more)' }),
  }
  static override flags = {
    community: Flags.string({ description: 'community id (default: the entity’s community, else "default")' }),
    entity: Flags.string({ description: 'set it for this channel only (platform:server:channel)' }),
    reset: Flags.boolean({
      description: 'drop this scope’s settings of the filter (back to the community’s or the defaults)',
    }),
  }
  static override examples = [
    '<%= config.bin %> moderation filters set links enabled=true allow=youtube.com,clips.twitch.tv',
    '<%= config.bin %> moderation filters set caps enabled=true percent=80 min_length=20 action=timeout duration=30',
    '<%= config.bin %> moderation filters set links exempt=broadcaster,moderator,vip,subscriber --entity twitch:chan:chan',
    '<%= config.bin %> moderation filters set emotes --reset',
  ]

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(ModerationFiltersSet)
    const filter = args.filter.toLowerCase()
    if (!isFilterName(filter))
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'filter',
        reason: `"${args.filter}" is not a filter (${FILTER_NAMES.join(', ')})`,
      })
    const pairs = (argv as string[]).slice(1)
    if (flags.reset && pairs.length > 0)
      throw new WaddleError('WB_INPUT_INVALID', { field: 'settings', reason: 'give either --reset or key=value pairs' })
    const settings = this.settings(flags)
    const result = await withRouterStorage(settings, async (db) => {
      const scope = {
        communityId: flags.community ?? (flags.entity ? await communityOf(db, flags.entity) : 'default'),
        entityId: flags.entity,
      }
      if (flags.reset) return { scope, reset: await resetFilterSettings(db, scope, filter as FilterName) }
      return { scope, overrides: await setFilterSettings(db, scope, filter as FilterName, pairs) }
    })
    const where = `community ${result.scope.communityId}${flags.entity ? `, channel ${flags.entity}` : ''}`
    if ('reset' in result)
      this.log(
        result.reset ? `${filter}: settings of ${where} removed.` : `${filter}: ${where} had no settings of its own.`,
      )
    else
      this.log(
        `${filter} (${where}): ${Object.entries(result.overrides!)
          .map(([k, v]) => `${k}=${formatValue(k, v)}`)
          .join(' ')}`,
      )
    if ((await notifyFiltersChanged(settings)) === 'poll') this.log('Running routers pick the change up within 15 s.')
  }
}
