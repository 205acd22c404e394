import { Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base-command.js'
import { withStorage } from '../../cli/storage-session.js'
import { projectRegistry } from '../../cli/registry.js'
import {
  issueLoginLink,
  resolveTokenKey,
  spotifyConfigSchema,
  spotifyMigrations,
  spotifyUrls,
} from '../../modules/spotify/public.js'
import { migrateDatabase } from '../../runtime/database.js'
import { WaddleError } from '../../runtime/errors.js'

export default class SpotifyLogin extends BaseCommand<typeof SpotifyLogin> {
  static override summary = "Print a one-time login link that connects a community's Spotify"
  static override description =
    'The link is signed, works once and expires (modules.spotify.login_link_ttl_ms, default 15 min). Open it in the ' +
    "streamer's browser: it goes on to Spotify's consent page. The login routes accept nothing else, so no one " +
    'without this command (or an admin in chat typing !spotify login) can connect or replace an account.'
  static override examples = [
    '<%= config.bin %> spotify login',
    '<%= config.bin %> spotify login --community my-stream --json',
  ]
  static override flags = {
    community: Flags.string({ description: 'community id', default: 'default' }),
    json: Flags.boolean({ description: 'print as JSON' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(SpotifyLogin)
    const community = flags.community.trim()
    if (community === '' || community.length > 200)
      throw new WaddleError('WB_INPUT_INVALID', {
        field: 'community',
        reason: 'must be a non-empty id of at most 200 characters',
      })
    const settings = this.settings(flags)
    const config = spotifyConfigSchema.parse(settings.modules.spotify ?? {})
    const { key } = resolveTokenKey(settings)
    const issued = await withStorage(settings, async (storage) => {
      await migrateDatabase(storage, [{ module: 'spotify', migrations: spotifyMigrations }])
      return issueLoginLink(storage, key, community, Date.now(), config.login_link_ttl_ms)
    })
    const url = spotifyUrls(settings, projectRegistry(settings).urlOf('spotify'), config).loginUrl(issued.link)
    if (flags.json) return this.log(JSON.stringify({ community_id: community, url, expires_at: issued.expiresAt }))
    this.log(
      `Spotify login for community ${community} (works once, expires ${new Date(issued.expiresAt).toISOString()}):`,
    )
    this.log(url)
  }
}
