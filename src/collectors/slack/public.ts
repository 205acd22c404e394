/** The Slack collector's public face for the CLI (`waddlebot auth slack`): the app manifest it needs. */
export { slackManifest } from './app-manifest.js'
