/**
 * spotify (port 8026): the streamer's Spotify, per community. OAuth authorization-code login on this
 * module's port, tokens encrypted at rest and refreshed before they expire; `!spotify|!spot` commands
 * request songs into the streamer's queue and control playback; now playing → a `media` response.
 * A revoked login degrades the module (clear chat lines, a doctor warning through spotifyStatus), never
 * fails it. See docs/music.md.
 */
import type { ModuleDefinition } from '../../runtime/module.js'
import { defineModule } from '../../runtime/module.js'
import { spotifyCommands } from './commands.js'
import { manifest } from './manifest.js'
import { spotifyMigrations } from './migrations.js'
import { spotifyRoutes } from './routes.js'
import { createSpotifyService, type SpotifyService } from './service.js'
import { type SpotifyConfig, spotifyConfigSchema, spotifyCredentials } from './settings.js'

export { type SpotifyConnection, type SpotifyStatus, spotifyStatus } from './status.js'
export type { SpotifyConfig } from './settings.js'
export type { SpotifyService } from './service.js'

export interface SpotifyOptions {
  /** The clock (epoch ms) used for token expiry and login states; default Date.now. */
  readonly now?: () => number
}

/** Builds the module; the default export uses the real clock. Tests inject theirs. Its state is the service. */
export function createSpotifyModule(options: SpotifyOptions = {}): ModuleDefinition<SpotifyConfig, SpotifyService> {
  return defineModule<SpotifyConfig, SpotifyService>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: spotifyConfigSchema,
    migrations: spotifyMigrations,
    commands: spotifyCommands(),
    setup(ctx) {
      const svc = createSpotifyService(ctx, options.now ?? Date.now) // validates WADDLEBOT_SECRET_KEY at start
      if (!spotifyCredentials(ctx.settings))
        ctx.log.info({ reason: 'SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET not set' }, 'Spotify not configured')
      ctx.log.debug({ key: svc.keySource }, 'Spotify tokens are encrypted with AES-256-GCM')
      return svc
    },
    routes: (app, ctx) => spotifyRoutes(app, ctx),
  })
}

export default createSpotifyModule()
