import { readFileSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { parse as parseYaml } from 'yaml'
import { BaseCommand } from '../../cli/base-command.js'
import { cliActor, withMarketStorage } from '../../cli/marketplace-session.js'
import { publish } from '../../modules/marketplace/public.js'
import { WaddleError } from '../../runtime/errors.js'

export default class MarketplacePublish extends BaseCommand<typeof MarketplacePublish> {
  static override summary = 'Publish a community module version from its manifest (YAML or JSON)'
  static override description =
    'The manifest is validated, then its target is probed: it must answer and report the checksum the manifest declares (docs/marketplace.md).'
  static override args = { manifest: Args.string({ description: 'path to the manifest file', required: true }) }
  static override flags = { json: Flags.boolean({ description: 'print the result as JSON' }) }
  static override examples = ['<%= config.bin %> marketplace publish ./weather/manifest.yaml']

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MarketplacePublish)
    let input: unknown
    try {
      input = parseYaml(readFileSync(args.manifest, 'utf8'))
    } catch (error) {
      throw new WaddleError('WB_INPUT_INVALID', { field: 'manifest', reason: (error as Error).message.split('\n')[0]! })
    }
    const settings = this.settings(flags)
    const m = await withMarketStorage(settings, (db) => publish(db, input, { actor: cliActor(), env: settings.env }))
    if (flags.json) return this.log(JSON.stringify({ module: m.name, version: m.version, checksum: m.checksum }))
    this.log(
      `Published ${m.name} ${m.version} (${m.commands.map((c) => c.name).join(' ')}), target ${m.target.type} passed its probe.`,
    )
    this.log(`Install it with \`waddlebot marketplace install ${m.name} --community <community>\`.`)
  }
}
