import { Args } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'
import { hostUntilSignal } from '../cli/host-process.js'
import { logFormatFlag, withLogFormat } from '../cli/log-format-flag.js'
import { projectRegistry, runnableModules } from '../cli/registry.js'

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Run only the named modules in this process, each on its own port'
  static override description =
    'Modules not run here are reached over HTTP at their configured URLs. The word `collector` before a platform name is accepted and ignored (`run collector twitch`).'
  static override strict = false
  static override args = {
    modules: Args.string({ description: 'module names (see `waddlebot module list`)', required: true }),
  }
  static override flags = { 'log-format': logFormatFlag }
  static override examples = [
    '<%= config.bin %> run router',
    '<%= config.bin %> run collector twitch',
    '<%= config.bin %> run twitch discord',
    '<%= config.bin %> run browser-source youtube-music',
  ]

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Run)
    const settings = withLogFormat(this.settings(flags), flags['log-format'])
    const registry = projectRegistry(settings)
    const names = runnableModules(registry, argv as string[])
    await hostUntilSignal(settings, names, (line) => this.log(line))
  }
}
