import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../../cli/base-command.js'
import { withStorage } from '../../../cli/storage-session.js'
import { createPlatformAdmin, migrateHubTables, tempPasswordTtlMs } from '../../../modules/hub/public.js'

export default class HubAdminCreate extends BaseCommand<typeof HubAdminCreate> {
  static override summary = 'Make a platform admin of the hub (the first one, or more) and print a one-time password'
  static override description =
    'There is no default password anywhere: the admin logs in once with the printed one-time password, then (when ' +
    'OAuth is configured) links their Twitch, Discord or Slack account. The user is a chat account ' +
    '(platform:user_name) that the bot knows, a hub user id (idn_…), or a bare name, which creates a hub-only account.'
  static override args = { user: Args.string({ description: 'who becomes platform admin', required: true }) }
  static override flags = { json: Flags.boolean({ description: 'print the result as JSON' }) }
  static override examples = [
    '<%= config.bin %> hub admin create admin',
    '<%= config.bin %> hub admin create twitch:alice',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HubAdminCreate)
    const settings = this.settings(flags)
    const created = await withStorage(settings, async (db) => {
      await migrateHubTables(db)
      return createPlatformAdmin(db, args.user, tempPasswordTtlMs(settings))
    })
    if (flags.json) return this.log(JSON.stringify({ user: args.user, ...created }))
    this.log(`${args.user} is a platform admin (${created.user_id}).`)
    this.log(`One-time password (valid until ${new Date(created.expires_at).toISOString()}, shown only now):`)
    this.log(created.password)
  }
}
