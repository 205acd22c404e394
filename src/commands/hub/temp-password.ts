import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { migrateHubTables, tempPasswordFor, tempPasswordTtlMs } from '../../modules/hub/public.js'

export default class HubTempPassword extends BaseCommand<typeof HubTempPassword> {
  static override summary = 'A one-time password to log in to the hub (shown once)'
  static override description =
    'The user is a chat account (platform:user_name, e.g. twitch:alice), a hub user id (idn_…) or a hub-only name. ' +
    'The password works once and expires after modules.hub.temp_password_ttl_minutes (15 by default); a new one ' +
    'cancels the unused ones. When OAuth is configured the user must link an account right after logging in.'
  static override args = { user: Args.string({ description: 'who it is for', required: true }) }
  static override flags = { json: Flags.boolean({ description: 'print it as JSON' }) }
  static override examples = [
    '<%= config.bin %> hub temp-password twitch:alice',
    '<%= config.bin %> hub temp-password admin --json',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HubTempPassword)
    const settings = this.settings(flags)
    const issued = await withStorage(settings, async (db) => {
      await migrateHubTables(db)
      return tempPasswordFor(db, args.user, 'cli', tempPasswordTtlMs(settings))
    })
    if (flags.json) return this.log(JSON.stringify({ user: args.user, ...issued }))
    this.log(
      `One-time password for ${args.user} (valid until ${new Date(issued.expires_at).toISOString()}, shown only now):`,
    )
    this.log(issued.password)
  }
}
