import { BaseCommand } from '../cli/base-command.js'
import { watchProject } from '../cli/dev-watch.js'
import { hostUntilSignal } from '../cli/host-process.js'
import { logFormatFlag, withLogFormat } from '../cli/log-format-flag.js'

export default class Dev extends BaseCommand<typeof Dev> {
  static override summary = 'Run the bot like `start`, reloading a project module each time one of its files is saved'
  static override description =
    'Watches the folder of every project module (modules.<name>.path or .package) and waddlebot.yaml. A saved module is ' +
    'reloaded in place: its teardown, then the new setup, its commands registered again; the other modules and the ' +
    'platform connections stay up. A version that fails to load prints one error line with the file and line, and the ' +
    'previous one keeps answering. `waddlebot module reload <name>` does the same on demand.'
  static override examples = ['<%= config.bin %> dev']

  static override flags = { 'log-format': logFormatFlag }

  async run(): Promise<void> {
    const { flags } = await this.parse(Dev)
    const settings = withLogFormat(this.settings(flags), flags['log-format'])
    await hostUntilSignal(
      settings,
      undefined,
      (line) => this.log(line),
      (runtime) =>
        watchProject(
          runtime,
          (line) => this.log(line),
          (line) => process.stderr.write(`${line}\n`),
        ),
    )
  }
}
