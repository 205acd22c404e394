import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { reportNotify } from '../../cli/moderation-format.js'
import { notifyRulesChanged, removeRule } from '../../modules/router/public.js'

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
