import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { listCommunities } from '../../modules/community/public.js'

export default class CommunityList extends BaseCommand<typeof CommunityList> {
  static override summary = 'List communities with their channel and member counts'
  static override flags = { json: Flags.boolean({ description: 'print as JSON' }) }

  async run(): Promise<void> {
    const { flags } = await this.parse(CommunityList)
    const list = await withStorage(this.settings(flags), listCommunities)
    if (flags.json) return this.log(JSON.stringify(list))
    const rows = [
      ['ID', 'NAME', 'CHANNELS', 'MEMBERS'],
      ...list.map((c) => [c.id, c.name, String(c.entities), String(c.members)]),
    ]
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
    for (const r of rows) this.log(r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '))
  }
}
