/**
 * Spotify settings: the module config (`modules.spotify` in waddlebot.yaml / `WADDLEBOT_SPOTIFY_<KEY>`) and
 * the environment (client id/secret and base URLs; secrets never come from the config file).
 */
import { z } from 'zod'
import type { Settings } from '../../runtime/config.js'
import { DEFAULT_SPOTIFY_ACCOUNTS_URL, DEFAULT_SPOTIFY_API_URL } from './spotify-api.js'

export const spotifyConfigSchema = z.object({
  /** OAuth scopes asked of the streamer. */
  scopes: z.string().default('user-read-playback-state user-modify-playback-state user-read-currently-playing'),
  /** Base URL at which the streamer's browser reaches this module (default: its own URL). */
  public_url: z.url().optional(),
  /** The redirect URI registered in the Spotify app (default `<public_url>/spotify/auth/callback`). */
  redirect_uri: z.url().optional(),
  search_results: z.number().int().min(1).max(10).default(5),
  /** Refresh the access token when fewer seconds than this are left. */
  refresh_margin_s: z.number().int().min(0).default(60),
  api_timeout_ms: z.number().int().min(100).default(4000),
  search_memory_ms: z
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000),
  /** How long an admin-issued login link (`waddlebot spotify login`) stays valid. */
  login_link_ttl_ms: z
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  /** Unknown or expired login links and states allowed per client address per minute. */
  login_guess_limit: z.number().int().positive().default(20),
  /** How long a login may take between /login and /callback. */
  state_ttl_ms: z
    .number()
    .int()
    .min(1000)
    .default(10 * 60_000),
})

export type SpotifyConfig = z.infer<typeof spotifyConfigSchema>

export interface SpotifyUrls {
  readonly apiUrl: string
  readonly accountsUrl: string
  /** The URL of an issued login link (`link` from issueLoginLink). */
  loginUrl(link: string): string
  readonly redirectUri: string
}

/**
 * URLs from the environment and config; `moduleUrl` is where this module is reached (`ctx.modules.url`);
 * `config` may be the raw `modules.spotify` (doctor) or the parsed one.
 */
export function spotifyUrls(
  settings: Settings,
  moduleUrl: string,
  config: Readonly<Record<string, unknown>> = settings.modules.spotify ?? {},
): SpotifyUrls {
  const configured = typeof config.public_url === 'string' ? config.public_url : undefined
  const base = (configured ?? moduleUrl).replace(/\/+$/, '')
  return {
    apiUrl: settings.env.SPOTIFY_API_URL || DEFAULT_SPOTIFY_API_URL,
    accountsUrl: settings.env.SPOTIFY_ACCOUNTS_URL || DEFAULT_SPOTIFY_ACCOUNTS_URL,
    loginUrl: (link) => `${base}/spotify/auth/login?link=${encodeURIComponent(link)}`,
    redirectUri: typeof config.redirect_uri === 'string' ? config.redirect_uri : `${base}/spotify/auth/callback`,
  }
}

/** The app credentials, or undefined when either is unset. */
export function spotifyCredentials(settings: Settings): { clientId: string; clientSecret: string } | undefined {
  const clientId = settings.env.SPOTIFY_CLIENT_ID
  const clientSecret = settings.env.SPOTIFY_CLIENT_SECRET
  return clientId && clientSecret ? { clientId, clientSecret } : undefined
}

/** What to do to connect or reconnect a community: only an admin can start a login. */
export const loginHint = (communityId: string) =>
  `an admin runs \`waddlebot spotify login --community ${communityId}\` (or types !spotify login) and opens the link`

export const NOT_CONFIGURED = 'Spotify is not configured: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET'
