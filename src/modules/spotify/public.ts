/**
 * spotify's public face: the state of every community's Spotify connection (`waddlebot doctor`), and what
 * `waddlebot spotify login` needs to issue a one-time login link.
 */
export { type SpotifyConnection, type SpotifyStatus, spotifyStatus } from './status.js'
export { resolveTokenKey } from './crypto.js'
export { issueLoginLink } from './login-links.js'
export { spotifyMigrations } from './migrations.js'
export { spotifyConfigSchema, spotifyUrls } from './settings.js'
