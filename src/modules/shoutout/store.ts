/**
 * The module's rows: each community's settings (read through the shared cache, so every replica sees an edit
 * at once), its listed creators, and the shoutout history with the questions the cooldowns ask of it.
 */
import type { Cache } from '../../runtime/cache/types.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { type CommunitySettings, communitySettingsSchema } from './settings.js'

export type Trigger = 'command' | 'raid' | 'first_message'
/** What happened to Twitch's own /shoutout for a history row. */
export type TwitchOutcome = 'sent' | 'queued' | 'no_scope' | 'off' | 'not_twitch' | 'unavailable' | 'failed'

export interface HistoryRow {
  readonly id: number
  readonly community_id: string
  readonly entity_id: string
  readonly platform: string
  readonly target_login: string
  readonly target_name: string
  readonly triggered_by: string
  readonly trigger: Trigger
  readonly game: string
  readonly title: string
  readonly clip_url: string | null
  readonly twitch_shoutout: TwitchOutcome
  readonly created_at: number
}

export interface Creator {
  readonly login: string
  readonly message: string | null
  readonly auto_first_message: boolean
  readonly added_by: string
  readonly created_at: number
}

const SETTINGS_TTL_MS = 60_000
const settingsKey = (community: string) => `shoutout:settings:${community}`

export class ShoutoutStore {
  constructor(
    readonly db: Storage,
    private readonly cache: Cache,
  ) {}

  async settings(community: string): Promise<CommunitySettings> {
    const cached = await this.cache.get<CommunitySettings>(settingsKey(community))
    if (cached) return cached
    const row = await this.db.one<{ settings: string }>(
      sql`select settings from shoutout_config where community_id = ${community}`,
    )
    // Stored settings are re-read through the schema: keys added later get their defaults.
    const stored = row ? (JSON.parse(row.settings) as Record<string, unknown>) : {}
    const parsed = communitySettingsSchema.safeParse(stored)
    const settings = parsed.success ? parsed.data : communitySettingsSchema.parse({})
    await this.cache.set(settingsKey(community), settings, SETTINGS_TTL_MS)
    return settings
  }

  async saveSettings(community: string, settings: CommunitySettings, now: number): Promise<void> {
    const json = JSON.stringify(settings)
    await this.db.execute(sql`insert into shoutout_config (community_id, settings, updated_at)
      values (${community}, ${json}, ${now})
      on conflict (community_id) do update set settings = excluded.settings, updated_at = excluded.updated_at`)
    await this.cache.delete(settingsKey(community))
  }

  async creators(community: string): Promise<Creator[]> {
    const rows = await this.db.query<Omit<Creator, 'auto_first_message'> & { auto_first_message: number }>(
      sql`select login, message, auto_first_message, added_by, created_at from shoutout_creators
        where community_id = ${community} order by login`,
    )
    return rows.map((r) => ({
      ...r,
      auto_first_message: Number(r.auto_first_message) === 1,
      created_at: Number(r.created_at),
    }))
  }

  async creator(community: string, login: string): Promise<Creator | undefined> {
    return (await this.creators(community)).find((c) => c.login === login)
  }

  async saveCreator(community: string, c: Creator): Promise<void> {
    await this.db.execute(sql`insert into shoutout_creators (community_id, login, message, auto_first_message, added_by, created_at)
      values (${community}, ${c.login}, ${c.message}, ${c.auto_first_message ? 1 : 0}, ${c.added_by}, ${c.created_at})
      on conflict (community_id, login) do update set message = excluded.message,
        auto_first_message = excluded.auto_first_message`)
  }

  async removeCreator(community: string, login: string): Promise<boolean> {
    const r = await this.db.execute(
      sql`delete from shoutout_creators where community_id = ${community} and login = ${login}`,
    )
    return r.changes > 0
  }

  async record(row: Omit<HistoryRow, 'id'>): Promise<number> {
    const inserted = await this.db.one<{ id: number }>(sql`insert into shoutout_history
      (community_id, entity_id, platform, target_login, target_name, triggered_by, trigger, game, title, clip_url,
       twitch_shoutout, created_at)
      values (${row.community_id}, ${row.entity_id}, ${row.platform}, ${row.target_login}, ${row.target_name},
        ${row.triggered_by}, ${row.trigger}, ${row.game}, ${row.title}, ${row.clip_url}, ${row.twitch_shoutout},
        ${row.created_at})
      returning id`)
    return Number(inserted!.id)
  }

  async setTwitchOutcome(historyId: number, outcome: TwitchOutcome): Promise<void> {
    await this.db.execute(sql`update shoutout_history set twitch_shoutout = ${outcome} where id = ${historyId}`)
  }

  /** When the community last shouted out `target` (any target when undefined) by the given triggers. */
  async lastShoutout(community: string, triggers: readonly Trigger[], target?: string): Promise<number | undefined> {
    const row = await this.db.one<{ at: number | null }>(sql`select max(created_at) as at from shoutout_history
      where community_id = ${community} and trigger in (${sql.join([...triggers])})
      ${target === undefined ? sql.empty : sql`and target_login = ${target}`}`)
    return row?.at == null ? undefined : Number(row.at)
  }

  async history(community: string, limit: number, target?: string): Promise<HistoryRow[]> {
    const rows = await this.db.query<HistoryRow>(sql`select * from shoutout_history where community_id = ${community}
      ${target === undefined ? sql.empty : sql`and target_login = ${target}`}
      order by created_at desc, id desc limit ${limit}`)
    return rows.map((r) => ({ ...r, id: Number(r.id), created_at: Number(r.created_at) }))
  }

  async stats(community: string) {
    const num = (v: unknown) => Number(v ?? 0)
    const total = await this.db.one<{ n: number }>(
      sql`select count(*) as n from shoutout_history where community_id = ${community}`,
    )
    const byTrigger = await this.db.query<{ trigger: string; n: number }>(sql`select trigger, count(*) as n
      from shoutout_history where community_id = ${community} group by trigger`)
    const byTwitch = await this.db.query<{
      twitch_shoutout: string
      n: number
    }>(sql`select twitch_shoutout, count(*) as n
      from shoutout_history where community_id = ${community} group by twitch_shoutout`)
    const top = await this.db.query<{ target_login: string; n: number; last_at: number }>(sql`select target_login,
      count(*) as n, max(created_at) as last_at from shoutout_history where community_id = ${community}
      group by target_login order by count(*) desc, max(created_at) desc, target_login limit 10`)
    return {
      community_id: community,
      total: num(total?.n),
      by_trigger: Object.fromEntries(byTrigger.map((r) => [r.trigger, num(r.n)])),
      twitch_shoutouts: Object.fromEntries(byTwitch.map((r) => [r.twitch_shoutout, num(r.n)])),
      top_targets: top.map((r) => ({ login: r.target_login, count: num(r.n), last_at: num(r.last_at) })),
    }
  }
}
