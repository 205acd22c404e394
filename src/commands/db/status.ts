import { Flags } from '@oclif/core'
import { databaseLabel } from '../../cli/database-label.js'
import { BaseCommand } from '../../cli/base-command.js'
import { deploymentMigrations } from '../../cli/migration-sets.js'
import { withStorage } from '../../cli/storage-session.js'

export default class DbStatus extends BaseCommand<typeof DbStatus> {
  static override summary = 'List migrations: applied, pending, or changed since applied'
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(DbStatus)
    const settings = this.settings(flags)
    const sets = await deploymentMigrations(settings)
    const states = await withStorage(settings, (db) => db.migrationStatus(sets), { migrate: false })
    if (flags.json) return this.log(JSON.stringify(states))
    this.log(`Database: ${databaseLabel(settings.database.url)}`)
    for (const s of states) {
      const when = s.appliedAt ? new Date(s.appliedAt).toISOString() : ''
      this.log(`${s.status.padEnd(8)} ${`${s.module}/${s.id}`.padEnd(40)} ${when}`)
    }
    const pending = states.filter((s) => s.status !== 'applied').length
    this.log(pending === 0 ? 'All migrations applied.' : `${pending} not applied: run \`waddlebot db migrate\`.`)
    if (states.some((s) => s.status === 'changed')) this.exit(1)
  }
}
