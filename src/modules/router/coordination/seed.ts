/**
 * Entities from configuration, registered when the router starts (idempotent, so every start may run it):
 *
 * | source | entry | entity id |
 * |---|---|---|
 * | `twitch.channels` / `TWITCH_CHANNELS=a,b` | `channel` (a leading `#` is dropped, lower-cased) | `twitch:<channel>:<channel>` |
 * | `discord.channels` / `DISCORD_CHANNELS` | `guild/channel` | `discord:<guild>:<channel>` |
 * | `slack.channels` / `SLACK_CHANNELS` | `team/channel` | `slack:<team>:<channel>` |
 *
 * A platform with `enabled: false` is skipped. Malformed entries are reported, not registered.
 */
import type { Settings } from '../../../runtime/config.js'
import type { Coordination, EntityInput } from './types.js'

export type SeedPlatform = 'twitch' | 'discord' | 'slack'

export interface SeedResult {
  /** Entities registered per platform (new or already known). */
  readonly registered: Readonly<Partial<Record<SeedPlatform, number>>>
  /** Entries that could not be read, with the reason. */
  readonly invalid: readonly { readonly platform: SeedPlatform; readonly entry: string; readonly reason: string }[]
}

const PART = /^[^\s:/]{1,256}$/

/** Reads one configured entry of `platform` as an entity, or explains why it cannot. */
export function entityFromEntry(platform: SeedPlatform, entry: string): EntityInput | { error: string } {
  const value = entry.trim()
  if (platform === 'twitch') {
    const channel = value.replace(/^#/, '').toLowerCase()
    if (!PART.test(channel)) return { error: 'expected a channel name' }
    return { entity_id: `twitch:${channel}:${channel}`, server_id: channel, channel_id: channel }
  }
  const [server, channel, extra] = value.split('/')
  const shape = platform === 'discord' ? 'guild/channel' : 'team/channel'
  if (extra !== undefined || !server || !channel || !PART.test(server) || !PART.test(channel))
    return { error: `expected ${shape}` }
  return { entity_id: `${platform}:${server}:${channel}`, server_id: server, channel_id: channel }
}

/** The configured entries of `platform`: the config file's list, then the `<PLATFORM>_CHANNELS` variable. */
function entries(settings: Settings, platform: SeedPlatform): string[] {
  const fromFile = settings.platforms[platform]?.channels ?? []
  const fromEnv = (settings.env[`${platform.toUpperCase()}_CHANNELS`] ?? '').split(',')
  return [...fromFile, ...fromEnv].map((e) => e.trim()).filter((e) => e !== '')
}

/** Registers the configured channels of Twitch, Discord and Slack as coordination entities. */
export async function seedEntitiesFromSettings(coordination: Coordination, settings: Settings): Promise<SeedResult> {
  const registered: Partial<Record<SeedPlatform, number>> = {}
  const invalid: { platform: SeedPlatform; entry: string; reason: string }[] = []
  for (const platform of ['twitch', 'discord', 'slack'] as const) {
    if (settings.platforms[platform]?.enabled === false) continue
    const found: EntityInput[] = []
    for (const entry of entries(settings, platform)) {
      const entity = entityFromEntry(platform, entry)
      if ('error' in entity) invalid.push({ platform, entry, reason: entity.error })
      else found.push(entity)
    }
    if (found.length === 0) continue
    registered[platform] = (await coordination.upsertEntities(platform, found)).upserted
  }
  return { registered, invalid }
}
