import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { backupDatabase } from '../../cli/db-backup.js'

export default class DbBackup extends BaseCommand<typeof DbBackup> {
  static override summary = 'Copy the configured database to a file (safe while the bot runs)'
  static override description =
    'SQLite: an online backup (SQLite backup API), itself a SQLite file. Postgres: a plain SQL dump made by pg_dump ' +
    '(from the PostgreSQL client tools), restorable with `waddlebot db restore` or `psql -f FILE`. See docs/operators.md.'
  static override examples = [
    '<%= config.bin %> db backup backups/bot-$(date +%F).db',
    'DATABASE_URL=postgres://postgres@127.0.0.1/bot <%= config.bin %> db backup bot.sql',
  ]
  static override args = { file: Args.string({ description: 'the backup file to write', required: true }) }
  static override flags = {
    force: Flags.boolean({ description: 'overwrite FILE when it exists' }),
    json: Flags.boolean({ description: 'print the report as JSON' }),
  }

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DbBackup)
    const report = await backupDatabase(this.settings(flags), args.file, { force: flags.force })
    if (flags.json) return this.log(JSON.stringify(report))
    this.log(`Backed up ${report.database} (${report.dialect}) to ${report.file} (${report.bytes} bytes).`)
  }
}
