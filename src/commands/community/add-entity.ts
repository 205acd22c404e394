import { userInfo } from 'node:os'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { addEntity, notifyEntitiesChanged } from '../../modules/community/public.js'

export default class CommunityAddEntity extends BaseCommand<typeof CommunityAddEntity> {
  static override summary = 'Put a channel, server or workspace into a community'
  static override description =
    'The entity id is <platform>:<server>:<channel> as the router names it (twitch:<channel id>:<channel id>, discord:<guild>:<channel>, slack:<team>:<channel>). A running bot picks the change up at once with Redis, else within a minute.'
  static override args = {
    community: Args.string({ description: 'the community (id or name)', required: true }),
    entity: Args.string({ description: '<platform>:<server>:<channel>', required: true }),
  }
  static override flags = { json: Flags.boolean({ description: 'print the result as JSON' }) }
  static override examples = [
    '<%= config.bin %> community add-entity penguin-club twitch:12345:12345',
    '<%= config.bin %> community add-entity penguin-club discord:200:300',
  ]

  async run(): Promise<void> {
    const { args, flags } = await this.parse(CommunityAddEntity)
    const settings = this.settings(flags)
    const done = await withStorage(settings, (db) =>
      addEntity(db, { community: args.community, entityId: args.entity, actor: `cli:${userInfo().username}` }),
    )
    const notified = await notifyEntitiesChanged(settings, done.entity_id)
    if (flags.json)
      return this.log(
        JSON.stringify({ community_id: done.community.id, entity_id: done.entity_id, previous: done.previous }),
      )
    this.log(
      `${done.entity_id} is now in community ${done.community.name}${done.previous && done.previous !== done.community.id ? ` (was ${done.previous})` : ''}.`,
    )
    if (notified === 'poll') this.log('A running bot picks this up within a minute (no Redis to announce it).')
  }
}
