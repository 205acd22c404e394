import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { listTwitchSubscriptions } from '../../collectors/twitch/public.js'
import { cell } from '../../tui/format.js'

export default class TwitchSubscriptions extends BaseCommand<typeof TwitchSubscriptions> {
  static override summary =
    'The EventSub subscriptions that exist for each Twitch channel (type, transport, status, cost)'
  static override description =
    'Asks Helix (TWITCH_API_URL) with the bot token (TWITCH_BOT_TOKEN, TWITCH_CLIENT_ID) for its WebSocket subscriptions and, when TWITCH_CLIENT_SECRET is set, with an app token for the webhook ones; groups them by channel.'
  static override flags = { json: Flags.boolean({ description: 'print the subscriptions as JSON' }) }
  static override examples = ['<%= config.bin %> twitch subscriptions', '<%= config.bin %> twitch subscriptions --json']

  async run(): Promise<void> {
    const { flags } = await this.parse(TwitchSubscriptions)
    const report = await listTwitchSubscriptions(this.settings(flags).env)
    if (flags.json) {
      this.log(JSON.stringify(report, null, 2))
      return
    }
    this.log(
      `${cell('CHANNEL', 20)}${cell('TYPE', 54)}${cell('VERSION', 9)}${cell('TRANSPORT', 11)}${cell('STATUS', 38)}COST`,
    )
    for (const c of report.channels) {
      for (const s of c.subscriptions)
        this.log(
          `${cell(c.channel, 20)}${cell(s.type, 54)}${cell(s.version, 9)}${cell(s.transport, 11)}${cell(s.status, 38)}${s.cost}`,
        )
    }
    this.log(
      `${report.total} subscription(s) · cost ${report.total_cost} of ${report.max_total_cost}${report.notes.map((n) => `\n${n}`).join('')}`,
    )
  }
}
