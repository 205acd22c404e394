import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base-command.js'

export default class Version extends BaseCommand<typeof Version> {
  static override summary = 'Print the version of waddlebot (same as --version)'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(Version)
    const { version, platform, arch } = this.config
    if (flags.json) this.log(JSON.stringify({ name: this.config.name, version, node: process.version, platform, arch }))
    else this.log(this.config.userAgent)
  }
}
