/**
 * Reputation settings: the module's defaults (`modules.reputation` in waddlebot.yaml) and each community's
 * overrides (`reputation_settings`, set by `!reputation` or `PUT /api/v1/reputation/settings`), merged.
 * Merged settings are cached in process and dropped on every change (cache channel `reputation:settings`).
 */
import { z } from 'zod'
import type { Cache } from '../../runtime/cache/types.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'

const points = (n: number) => z.number().int().min(-1_000_000).max(1_000_000).default(n)

export const pointsSchema = z.object({
  /** Each chat message (up to message_cap_per_minute of them a minute). */
  message: points(1),
  /** A follow (once a day per person). */
  follow: points(10),
  /** A subscription or resub; a gift gives this per gifted sub to the gifter. */
  sub: points(50),
  /** Per raiding viewer, to the raider. */
  raid: points(5),
  /** Per 100 bits cheered. */
  cheer: points(1),
  ban: points(-100),
  timeout: points(-20),
})
export type Points = z.infer<typeof pointsSchema>
export const EVENT_KINDS = Object.keys(pointsSchema.shape) as (keyof Points)[]

export const automodSchema = z.object({
  /** At or below this total, the person's chat messages get `action`; null = off. */
  threshold: z.number().int().min(-1_000_000_000).max(1_000_000_000).nullable().default(null),
  action: z.enum(['warn', 'delete', 'timeout', 'ban']).default('timeout'),
  /** Seconds, for `timeout`. */
  duration_s: z.number().int().min(1).max(1_209_600).default(600),
})

export const communitySettingsSchema = z.object({
  points: pointsSchema.default(pointsSchema.parse({})),
  /** Chat messages a minute that earn points, per person (the rest earn nothing). */
  message_cap_per_minute: z.number().int().min(0).max(1000).default(5),
  /** Whether `!give` works (moderators turn it on). */
  give_enabled: z.boolean().default(false),
  automod: automodSchema.default(automodSchema.parse({})),
})
export type CommunitySettings = z.infer<typeof communitySettingsSchema>

const pointsValue = z.number().int().min(-1_000_000).max(1_000_000)

/** A community's overrides: any subset (no defaults: what is absent keeps the module's value). */
export const settingsPatchSchema = z
  .object({
    points: z
      .object(Object.fromEntries(Object.keys(pointsSchema.shape).map((k) => [k, pointsValue.optional()])))
      .strict() as z.ZodType<Partial<Points>>,
    message_cap_per_minute: z.number().int().min(0).max(1000),
    give_enabled: z.boolean(),
    automod: z
      .object({
        threshold: z.number().int().min(-1_000_000_000).max(1_000_000_000).nullable(),
        action: z.enum(['warn', 'delete', 'timeout', 'ban']),
        duration_s: z.number().int().min(1).max(1_209_600),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

export const reputationConfigSchema = communitySettingsSchema.extend({
  /** How often buffered points are written (ms). */
  flush_ms: z.number().int().min(50).max(60_000).default(2000),
  /** People with unwritten points that trigger a write before flush_ms. */
  max_pending: z.number().int().min(1).max(1_000_000).default(10_000),
})
export type ReputationConfig = z.infer<typeof reputationConfigSchema>

/** `o` without its undefined fields. */
function defined<T extends object>(o: T | undefined): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as never
}

function merge(base: CommunitySettings, patch: SettingsPatch): CommunitySettings {
  return {
    points: { ...base.points, ...defined(patch.points) },
    message_cap_per_minute: patch.message_cap_per_minute ?? base.message_cap_per_minute,
    give_enabled: patch.give_enabled ?? base.give_enabled,
    automod: { ...base.automod, ...defined(patch.automod) },
  }
}

function mergePatch(a: SettingsPatch, b: SettingsPatch): SettingsPatch {
  return {
    ...a,
    ...b,
    ...(a.points || b.points ? { points: { ...a.points, ...b.points } } : {}),
    ...(a.automod || b.automod ? { automod: { ...a.automod, ...b.automod } } : {}),
  }
}

const CHANNEL = 'reputation:settings'
const TTL_MS = 60_000

export class SettingsBook {
  #cache = new Map<string, { settings: Promise<CommunitySettings>; at: number }>()
  #unsubscribe: (() => Promise<void>) | undefined

  constructor(
    private readonly storage: Storage,
    private readonly cache: Cache,
    private readonly defaults: CommunitySettings,
    private readonly now: () => number,
  ) {}

  async start(): Promise<void> {
    this.#unsubscribe = await this.cache.subscribe(CHANNEL, (msg) => {
      const id = (msg as { community_id?: unknown })?.community_id
      if (typeof id === 'string') this.#cache.delete(id)
    })
  }

  async close(): Promise<void> {
    await this.#unsubscribe?.()
  }

  async patchOf(communityId: string): Promise<SettingsPatch> {
    const row = await this.storage.one<{ settings: string }>(
      sql`select settings from reputation_settings where community_id = ${communityId}`,
    )
    if (!row) return {}
    const parsed = settingsPatchSchema.safeParse(JSON.parse(row.settings))
    return parsed.success ? parsed.data : {}
  }

  /** The merged settings; concurrent misses share one read (a burst of chat costs one query). */
  get(communityId: string): Promise<CommunitySettings> {
    const hit = this.#cache.get(communityId)
    if (hit && this.now() - hit.at < TTL_MS) return hit.settings
    const settings = this.patchOf(communityId).then((patch) => merge(this.defaults, patch))
    this.#cache.set(communityId, { settings, at: this.now() })
    settings.catch(() => {
      if (this.#cache.get(communityId)?.settings === settings) this.#cache.delete(communityId)
    })
    return settings
  }

  /** Applies `patch` over the community's overrides (`reset` drops them all); returns the merged settings. */
  async update(communityId: string, patch: SettingsPatch, by: string, reset = false): Promise<CommunitySettings> {
    const next = reset ? {} : mergePatch(await this.patchOf(communityId), patch)
    const now = this.now()
    await this.storage.execute(sql`insert into reputation_settings (community_id, settings, updated_by, updated_at)
      values (${communityId}, ${JSON.stringify(next)}, ${by}, ${now})
      on conflict (community_id) do update set settings = excluded.settings, updated_by = excluded.updated_by,
        updated_at = excluded.updated_at`)
    this.#cache.delete(communityId)
    await this.cache.publish(CHANNEL, { community_id: communityId })
    return merge(this.defaults, next)
  }
}
