import { Flags } from '@oclif/core'
import { withAliasStorage } from '../../cli/alias-session.js'
import { BaseCommand } from '../../cli/base-command.js'
import { describeAlias, listAliases } from '../../modules/alias/public.js'
import { WaddleError } from '../../runtime/errors.js'

export default class AliasList extends BaseCommand<typeof AliasList> {
  static override summary = 'List the custom commands of a community'
  static override description =
    'Each line: name → text (permission level, cooldowns, count, disabled). See docs/alias.md.'
  static override examples = [
    '<%= config.bin %> alias list',
    '<%= config.bin %> alias list --community my-stream --json',
  ]
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    json: Flags.boolean({ description: 'print as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(AliasList)
    if (flags.community.trim() === '' || flags.community.length > 200)
      throw new WaddleError('WB_INPUT_INVALID', { field: 'community', reason: 'must be a non-empty id' })
    const rows = await withAliasStorage(this.settings(flags), (db) => listAliases(db, flags.community))
    if (flags.json) return this.log(JSON.stringify(rows))
    if (rows.length === 0)
      return this.log(
        `No custom commands in community ${flags.community}. Add one with \`waddlebot alias add hi "Hello {user}!"\`.`,
      )
    for (const r of rows) this.log(describeAlias(r))
  }
}
