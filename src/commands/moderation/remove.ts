import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { notifyRulesChanged } from '../../modules/router/matcher/notify.js'
import { removeRule } from '../../modules/router/matcher/rules.js'
import { reportNotify } from '../../modules/router/matcher/cli-format.js'

export default class ModerationRemove extends BaseCommand<typeof ModerationRemove> {
  static override summary = 'Remove a string-match rule by id (see `moderation list`)'
  static override args = { id: Args.string({ description: 'rule id', required: true }) }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ModerationRemove)
    const settings = this.settings(flags)
    await withStorage(settings, (db) => removeRule(db, args.id))
    this.log(`Removed rule ${args.id}.`)
    reportNotify(this, await notifyRulesChanged(settings))
  }
}
