import { BaseCommand } from '../cli/base-command.js'
import { hostUntilSignal } from '../cli/host-process.js'
import { logFormatFlag, withLogFormat } from '../cli/log-format-flag.js'

export default class Start extends BaseCommand<typeof Start> {
  static override summary = 'Run every enabled module in one process (SQLite at data/waddlebot.db by default)'
  static override description =
    'The embedded default for a single streamer. Works with no config file and no platform tokens: the `local` platform is on, so `waddlebot chat` can talk to it.'
  static override examples = [
    '<%= config.bin %> start',
    'DATABASE_URL=postgres://localhost/bot <%= config.bin %> start',
  ]

  static override flags = { 'log-format': logFormatFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Start)
    await hostUntilSignal(withLogFormat(this.settings(flags), flags['log-format']), undefined, (line) => this.log(line))
  }
}
