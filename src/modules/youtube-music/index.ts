/**
 * youtube-music (port 8025): song requests from YouTube Music. A queue per community, persisted in
 * `youtube_music_queue`; a starting track is answered with a `media` response (the router shows it on the
 * overlay) and "Now playing: …"; a track that ends advances the queue by timer. See docs/music.md.
 */
import { z } from 'zod'
import type { Response } from '../../contract/responses.js'
import type { ModuleContext, ModuleDefinition } from '../../runtime/module.js'
import { defineModule } from '../../runtime/module.js'
import { createRegistry } from '../../runtime/registry.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { OverlayForwarder } from '../router/overlay-forward.js'
import { type YoutubeMusicConfig, youtubeClient, youtubeMusicCommands } from './commands.js'
import { youtubeMusicMigrations } from './migrations.js'
import { Player, realScheduler, type Scheduler } from './player.js'
import { allPlaying, type QueueEntry } from './queue.js'
import { mediaOf } from './replies.js'
import { DEFAULT_YOUTUBE_API_URL } from './youtube-api.js'

export type { YoutubeMusicConfig } from './commands.js'

/** `modules.youtube-music` settings and their defaults. */
export const youtubeMusicConfigSchema = z.object({
  max_queue_size: z.number().int().min(1).default(50),
  per_user_limit: z.number().int().min(1).default(3),
  search_results: z.number().int().min(1).max(10).default(5),
  region_code: z.string().length(2).default('US'),
  api_timeout_ms: z.number().int().min(100).default(4000),
  queue_preview: z.number().int().min(1).max(20).default(5),
  search_memory_ms: z.number().int().min(1000).default(30 * 60_000),
})

export interface YoutubeMusicOptions {
  /** The clock (epoch ms); default Date.now. */
  readonly now?: () => number
  /** End-of-track timers; default setTimeout. */
  readonly scheduler?: Scheduler
  /**
   * Shows a track that started because the previous one ended (no command to reply to). Default: posts its
   * `media` response to browser-source (`POST /browser/source/display`), best effort.
   */
  readonly onTrackStart?: (ctx: ModuleContext<YoutubeMusicConfig>, entry: QueueEntry, media: Response) => Promise<void> | void
}

/** Posts the media of a track that started by itself to the community's overlays. */
function overlayPoster(ctx: ModuleContext<YoutubeMusicConfig>): (entry: QueueEntry, media: Response) => Promise<void> {
  let forwarder: OverlayForwarder | undefined
  return (entry, media) => {
    if (!forwarder) {
      const registry = createRegistry(ctx.settings)
      forwarder = new OverlayForwarder(() => registry.urlOf('browser-source'), resolveServiceKey(ctx.settings), ctx.log)
    }
    return forwarder.forward({ entityId: entry.entity_id, communityId: entry.community_id }, [media])
  }
}

/** Builds the module; the default export uses the real clock and timers. Tests inject theirs. */
export function createYoutubeMusicModule(options: YoutubeMusicOptions = {}): ModuleDefinition<YoutubeMusicConfig> {
  const players = new WeakMap<object, Player>()
  const playerOf = (ctx: ModuleContext<YoutubeMusicConfig>): Player => {
    let player = players.get(ctx.storage)
    if (!player) {
      const post = options.onTrackStart ? undefined : overlayPoster(ctx)
      player = new Player(ctx.storage, ctx.log, {
        now: options.now ?? Date.now,
        scheduler: options.scheduler ?? realScheduler,
        onStart: (entry) => (options.onTrackStart ? options.onTrackStart(ctx, entry, mediaOf(entry)) : post!(entry, mediaOf(entry))),
      })
      players.set(ctx.storage, player)
    }
    return player
  }

  return defineModule<YoutubeMusicConfig>({
    name: 'youtube-music',
    version: '0.1.0',
    kind: 'interaction',
    summary: 'YouTube Music song requests',
    port: 8025,
    config: youtubeMusicConfigSchema,
    migrations: youtubeMusicMigrations,
    commands: youtubeMusicCommands(playerOf),
    async setup(ctx) {
      const player = playerOf(ctx)
      await player.restore()
      if (!youtubeClient(ctx)) ctx.log.info({ reason: 'YOUTUBE_API_KEY not set' }, 'YouTube search not configured')
      return () => {
        player.dispose()
        players.delete(ctx.storage)
      }
    },
    routes(app, ctx) {
      app.get('/youtube/music/status', async () => ({
        module: 'youtube-music',
        configured: youtubeClient(ctx) !== undefined,
        api_url: ctx.settings.env.YOUTUBE_API_URL || DEFAULT_YOUTUBE_API_URL,
        playing: (await allPlaying(ctx.storage)).map((e) => ({
          community_id: e.community_id, title: e.title, artist: e.artist, started_at: e.started_at, duration: e.duration,
        })),
      }))
    },
  })
}

export default createYoutubeMusicModule()
