/**
 * The Twitch collector's public face for the CLI: the EventSub scope check `waddlebot doctor` prints, and the
 * subscription listing of `waddlebot twitch subscriptions`. For modules (shoutout): the Helix calls about other
 * creators, token validation (scopes) and the bot's token source.
 */
export { type TwitchCheck, twitchEventSubCheck } from './doctor.js'
export { listTwitchSubscriptions, type SubscriptionRow, type SubscriptionsReport } from './subscriptions-report.js'
export { createTwitchOAuth, runDeviceFlow, type TokenInfo, TWITCH_BOT_SCOPES, TwitchOAuthError } from './oauth.js'
export { TOKEN_ENV, tokenSourceFor } from './token-store.js'
export { DEFAULT_HELIX_URL, HelixError } from './helix.js'
export {
  createHelixCreatorsClient,
  type HelixChannel,
  type HelixClip,
  type HelixCreatorsClient,
  type HelixProfile,
} from './helix-creators.js'
export { validateToken } from './helix-eventsub.js'
export type { TokenSource } from './token-store.js'
