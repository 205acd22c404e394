import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { describeDatabase, restoreDatabase } from '../../cli/db-backup.js'
import { createPrompter } from '../../cli/prompt.js'
import { WaddleError } from '../../runtime/errors.js'

export default class DbRestore extends BaseCommand<typeof DbRestore> {
  static override summary = 'Replace the configured database with a `waddlebot db backup` file'
  static override description =
    'Stop the bot first. SQLite: copies the backup in through the SQLite backup API. Postgres: runs the SQL dump with ' +
    'psql in one transaction (it drops and recreates the tables; nothing changes if a statement fails). Asks for ' +
    'confirmation on a terminal; --yes otherwise.'
  static override examples = ['<%= config.bin %> db restore backups/bot-2026-01-31.db --yes']
  static override args = { file: Args.string({ description: 'the backup file to restore', required: true }) }
  static override flags = {
    yes: Flags.boolean({ char: 'y', description: 'replace the database without asking' }),
    json: Flags.boolean({ description: 'print the report as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DbRestore)
    const settings = this.settings(flags)
    if (!flags.yes) {
      const prompt = createPrompter()
      try {
        if (!prompt.interactive)
          throw new WaddleError('WB_INPUT_INVALID', {
            field: 'yes',
            reason: 'restoring replaces the whole database: pass --yes to confirm',
          })
        const answer = await prompt.ask(
          'yes',
          `Replace ${describeDatabase(settings.database.url)} with ${args.file}? [y/N] `,
          { fallback: 'n' },
        )
        if (!/^y(es)?$/i.test(answer)) return this.log('Nothing restored.')
      } finally {
        prompt.close()
      }
    }
    const report = await restoreDatabase(settings, args.file)
    if (flags.json) return this.log(JSON.stringify(report))
    this.log(`Restored ${report.database} (${report.dialect}) from ${report.file}.`)
  }
}
