/**
 * The Twitch collector's public face for the CLI: the EventSub scope check `waddlebot doctor` prints, and the
 * subscription listing of `waddlebot twitch subscriptions`.
 */
export { type TwitchCheck, twitchEventSubCheck } from './doctor.js'
export { listTwitchSubscriptions, type SubscriptionRow, type SubscriptionsReport } from './subscriptions-report.js'
export { createTwitchOAuth, runDeviceFlow, type TokenInfo, TWITCH_BOT_SCOPES, TwitchOAuthError } from './oauth.js'
export { TOKEN_ENV, tokenSourceFor } from './token-store.js'
