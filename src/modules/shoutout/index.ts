/**
 * shoutout (port 8020): `!so <user>` / `!shoutout <user>` looks the creator up on Twitch (profile, last game
 * and title, one of their top clips of the last days), posts the community's chat line and a card on the
 * `general` overlay (the clip playing), and sends Twitch's own /shoutout queued within Twitch's limits.
 * Raids (and optionally listed creators' first messages) shout out on their own. History, stats and a REST
 * API for settings and creators. See docs/shoutout.md.
 */
import type { ModuleDefinition } from '../../runtime/module.js'
import { defineModule } from '../../runtime/module.js'
import { shoutoutCommands } from './commands.js'
import { shoutoutEvents } from './events.js'
import { manifest } from './manifest.js'
import { shoutoutMigrations } from './migrations.js'
import { shoutoutRoutes } from './routes.js'
import { type ShoutoutConfig, shoutoutConfigSchema } from './settings.js'
import type { ShoutoutDeps } from './shoutout.js'
import { ShoutoutStore } from './store.js'
import { createTwitchInfo } from './twitch-info.js'
import { TwitchShoutoutQueue } from './twitch-queue.js'

export type { ShoutoutConfig } from './settings.js'

export interface ShoutoutState extends ShoutoutDeps {
  readonly stop: () => void
}

export interface ShoutoutOptions {
  /** The clock (epoch ms); default Date.now. */
  readonly now?: () => number
  /** Picks the clip among the top ones; default Math.random. */
  readonly random?: () => number
  /** Drain the Twitch queue on a timer (default true; tests drain by hand). */
  readonly queueTimer?: boolean
}

export function createShoutoutModule(options: ShoutoutOptions = {}): ModuleDefinition<ShoutoutConfig, ShoutoutState> {
  return defineModule<ShoutoutConfig, ShoutoutState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: shoutoutConfigSchema,
    migrations: shoutoutMigrations,
    commands: shoutoutCommands(),
    events: shoutoutEvents(),
    setup(ctx) {
      const now = options.now ?? Date.now
      const store = new ShoutoutStore(ctx.storage, ctx.cache)
      const twitch = createTwitchInfo(ctx, { now, random: options.random ?? Math.random })
      const queue = new TwitchShoutoutQueue({
        db: ctx.storage,
        cache: ctx.cache,
        store,
        log: ctx.log,
        helix: () => twitch.helix,
        now,
        onMissingScope: () => twitch.forget(),
      })
      if (!twitch.helix)
        ctx.log.info(
          { reason: 'TWITCH_CLIENT_ID and TWITCH_BOT_TOKEN not both set' },
          'shoutouts are text only (no Twitch details, card details or /shoutout)',
        )
      const interval = ctx.config.queue_interval_ms
      const timer =
        options.queueTimer !== false && interval > 0
          ? setInterval(() => {
              queue.drain().catch((err: unknown) => ctx.log.warn({ err }, 'Twitch shoutout queue drain failed'))
            }, interval)
          : undefined
      timer?.unref()
      return { store, twitch, queue, log: ctx.log, now, stop: () => clearInterval(timer) }
    },
    teardown: ({ state }) => state.stop(),
    async health({ state }) {
      return {
        twitch: state.twitch.helix ? 'configured' : 'not configured: text shoutouts only',
        twitch_queue: (await state.queue.waiting()).length,
      }
    },
    routes: (app, ctx) => shoutoutRoutes(app, ctx),
  })
}

export default createShoutoutModule()
