import { Flags } from '@oclif/core'
import { databaseLabel } from '../../cli/database-label.js'
import { BaseCommand } from '../../cli/base-command.js'
import { deploymentMigrations } from '../../cli/migration-sets.js'
import { withStorage } from '../../cli/storage-session.js'
import { migrateDatabase } from '../../runtime/database.js'

export default class DbMigrate extends BaseCommand<typeof DbMigrate> {
  static override summary = 'Apply pending migrations to the configured database (idempotent)'
  static override flags = { json: Flags.boolean({ description: 'print the report as JSON' }) }
  static override examples = [
    '<%= config.bin %> db migrate',
    'DATABASE_URL=postgres://postgres@127.0.0.1/bot <%= config.bin %> db migrate',
  ]

  async run(): Promise<void> {
    const { flags } = await this.parse(DbMigrate)
    const settings = this.settings(flags)
    const sets = await deploymentMigrations(settings)
    const report = await withStorage(settings, (db) => migrateDatabase(db, sets), { migrate: false })
    if (flags.json) return this.log(JSON.stringify(report))
    this.log(`Database: ${databaseLabel(settings.database.url)}`)
    if (report.applied.length === 0)
      return this.log(`Database is up to date (${report.skipped} migrations already applied).`)
    for (const m of report.applied) this.log(`applied ${m.module}/${m.id}`)
    this.log(`${report.applied.length} applied, ${report.skipped} already applied.`)
  }
}
