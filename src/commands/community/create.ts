import { userInfo } from 'node:os'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { createCommunity } from '../../modules/community/public.js'

export default class CommunityCreate extends BaseCommand<typeof CommunityCreate> {
  static override summary = 'Create a community (channels on several platforms can then share it)'
  static override args = { name: Args.string({ description: 'its name (2-64 characters)', required: true }) }
  static override flags = { json: Flags.boolean({ description: 'print the community as JSON' }) }
  static override examples = ['<%= config.bin %> community create "Penguin Club"']

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CommunityCreate)
    const c = await withStorage(this.settings(flags), (db) =>
      createCommunity(db, { name: args.name, actor: `cli:${userInfo().username}` }),
    )
    if (flags.json) return this.log(JSON.stringify(c))
    this.log(`Created community ${c.name} (id ${c.id}).`)
    this.log(`Add its channels with \`waddlebot community add-entity ${c.id} <platform>:<server>:<channel>\`.`)
  }
}
