import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { describeRule } from '../../cli/moderation-format.js'
import { listRules } from '../../modules/router/public.js'

export default class ModerationList extends BaseCommand<typeof ModerationList> {
  static override summary = 'List string-match rules by priority'
  static override flags = {
    entity: Flags.string({ description: 'only the rules that apply to this entity (global ones and its own)' }),
    json: Flags.boolean({ description: 'print as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(ModerationList)
    const rules = await withStorage(this.settings(flags), (db) => listRules(db, { entityId: flags.entity }))
    if (flags.json) return this.log(JSON.stringify(rules))
    if (rules.length === 0)
      return this.log('No string-match rules. Add one with `waddlebot moderation add <pattern> --action warn`.')
    this.log(`${'id'.padStart(5)}  ${'prio'.padStart(5)}  ${'scope'.padEnd(20)} rule`)
    for (const r of rules) {
      const scope = (r.entity_id ?? 'global').padEnd(20)
      this.log(
        `${String(r.id).padStart(5)}  ${String(r.priority).padStart(5)}  ${scope} ${describeRule(r)}${r.enabled ? '' : '  (disabled)'}`,
      )
    }
  }
}
