import { Flags } from '@oclif/core'
import { databaseLabel } from '../../cli/database-label.js'
import { BaseCommand } from '../../cli/base-command.js'
import { deploymentMigrations } from '../../cli/migration-sets.js'
import { withStorage } from '../../cli/storage-session.js'

export default class DbStatus extends BaseCommand<typeof DbStatus> {
  static override summary = 'List migrations: applied, pending, or changed since applied'
  static override flags = {
    json: Flags.boolean({ description: 'print as JSON' }),
    check: Flags.boolean({
      description: 'exit 1 while any migration is not applied (a deploy waits on it: docs/deploy.md#upgrades)',
    }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(DbStatus)
    const settings = this.settings(flags)
    const sets = await deploymentMigrations(settings)
    const states = await withStorage(settings, (db) => db.migrationStatus(sets), { migrate: false })
    const pending = states.filter((s) => s.status !== 'applied').length
    if (flags.json) {
      this.log(JSON.stringify(states))
      if (flags.check && pending > 0) this.exit(1)
      return
    }
    this.log(`Database: ${databaseLabel(settings.database.url)}`)
    for (const s of states) {
      const when = s.appliedAt ? new Date(s.appliedAt).toISOString() : ''
      this.log(`${s.status.padEnd(8)} ${`${s.module}/${s.id}`.padEnd(40)} ${when}`)
    }
    this.log(pending === 0 ? 'All migrations applied.' : `${pending} not applied: run \`waddlebot db migrate\`.`)
    if (states.some((s) => s.status === 'changed') || (flags.check && pending > 0)) this.exit(1)
  }
}
