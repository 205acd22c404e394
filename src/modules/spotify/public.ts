/** spotify's public face: the state of every community's Spotify connection (`waddlebot doctor`). */
export { type SpotifyConnection, type SpotifyStatus, spotifyStatus } from './status.js'
