/**
 * youtube-music (port 8025): song requests from YouTube Music. A queue per community, persisted in
 * `youtube_music_queue`; a starting track is answered with a `media` response (the router shows it on the
 * overlay) and "Now playing: …"; a track that ends advances the queue by timer. See docs/music.md.
 */
import { z } from 'zod'
import type { Response } from '../../contract/responses.js'
import type { ModuleDefinition, SetupContext } from '../../runtime/module.js'
import { defineModule } from '../../runtime/module.js'
import { OverlayClient } from '../browser-source/public.js'
import { type YoutubeMusicConfig, type YoutubeMusicState, youtubeClient, youtubeMusicCommands } from './commands.js'
import { manifest } from './manifest.js'
import { youtubeMusicMigrations } from './migrations.js'
import { Player, realScheduler, type Scheduler } from './player.js'
import { allPlaying, type QueueEntry } from './queue.js'
import { mediaOf } from './replies.js'
import { DEFAULT_YOUTUBE_API_URL } from './youtube-api.js'

export type { YoutubeMusicConfig, YoutubeMusicState } from './commands.js'

/** `modules.youtube-music` settings and their defaults. */
export const youtubeMusicConfigSchema = z.object({
  max_queue_size: z.number().int().min(1).default(50),
  per_user_limit: z.number().int().min(1).default(3),
  search_results: z.number().int().min(1).max(10).default(5),
  region_code: z.string().length(2).default('US'),
  api_timeout_ms: z.number().int().min(100).default(4000),
  queue_preview: z.number().int().min(1).max(20).default(5),
  search_memory_ms: z
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000),
})

export interface YoutubeMusicOptions {
  /** The clock (epoch ms); default Date.now. */
  readonly now?: () => number
  /** End-of-track timers; default setTimeout. */
  readonly scheduler?: Scheduler
  /**
   * Shows a track that started because the previous one ended (no command to reply to). Default: pushes its
   * `media` response to the community's overlays through browser-source, best effort.
   */
  readonly onTrackStart?: (
    ctx: SetupContext<YoutubeMusicConfig>,
    entry: QueueEntry,
    media: Response,
  ) => Promise<void> | void
}

/** Builds the module; the default export uses the real clock and timers. Tests inject theirs. */
export function createYoutubeMusicModule(
  options: YoutubeMusicOptions = {},
): ModuleDefinition<YoutubeMusicConfig, YoutubeMusicState> {
  return defineModule<YoutubeMusicConfig, YoutubeMusicState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: youtubeMusicConfigSchema,
    migrations: youtubeMusicMigrations,
    commands: youtubeMusicCommands(),
    async setup(ctx) {
      const overlays = new OverlayClient(ctx.modules, ctx.log)
      const show = (entry: QueueEntry, media: Response) =>
        options.onTrackStart
          ? options.onTrackStart(ctx, entry, media)
          : overlays.forward({ entityId: entry.entity_id, communityId: entry.community_id }, [media])
      const player = new Player(ctx.storage, ctx.log, {
        now: options.now ?? Date.now,
        scheduler: options.scheduler ?? realScheduler,
        onStart: (entry) => show(entry, mediaOf(entry)),
      })
      await player.restore()
      if (!youtubeClient(ctx)) ctx.log.info({ reason: 'YOUTUBE_API_KEY not set' }, 'YouTube search not configured')
      return { player }
    },
    teardown: ({ state }) => state.player.dispose(),
    routes(app, ctx) {
      app.get('/youtube/music/status', async () => ({
        module: 'youtube-music',
        configured: youtubeClient(ctx) !== undefined,
        api_url: ctx.settings.env.YOUTUBE_API_URL || DEFAULT_YOUTUBE_API_URL,
        playing: (await allPlaying(ctx.storage)).map((e) => ({
          community_id: e.community_id,
          title: e.title,
          artist: e.artist,
          started_at: e.started_at,
          duration: e.duration,
        })),
      }))
    },
  })
}

export default createYoutubeMusicModule()
