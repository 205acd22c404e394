/** Fake Twitch for tests: chat (IRC over WebSocket), Helix (with EventSub subscriptions and the auth server), OAuth (id.twitch.tv), EventSub over WebSocket and a webhook sender. */
export { type FakeTwitchAuth, type FakeTwitchAuthOptions, startFakeTwitchAuth } from './auth-server.js'
export {
  type EventSubMessage,
  eventSubEvents,
  eventSubRequest,
  sendEventSub,
  signEventSub,
  twitchTimestamp,
} from './eventsub.js'
export { type FakeEventSubWs, type FakeSubscription, startFakeEventSubWs } from './eventsub-ws-server.js'
export type { FakeClipFixture, FakeCreators } from './helix-creator-routes.js'
export { ALL_SCOPES, type FakeHelix, type HelixCall, startFakeHelix } from './helix-server.js'
export { twitchIdOf } from './ids.js'
export {
  type FakeTwitchIrc,
  type IrcLine,
  parseIrc,
  startFakeTwitchIrc,
  type UserNotice,
  type ViewerMessage,
} from './irc-server.js'
