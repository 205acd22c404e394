/** Fake Twitch for tests: chat (IRC over WebSocket), Helix, OAuth (id.twitch.tv) and an EventSub sender. */
export { type FakeTwitchAuth, type FakeTwitchAuthOptions, startFakeTwitchAuth } from './auth-server.js'
export { type EventSubMessage, eventSubEvents, eventSubRequest, sendEventSub, signEventSub, twitchTimestamp } from './eventsub.js'
export { type FakeHelix, type HelixCall, startFakeHelix } from './helix-server.js'
export { twitchIdOf } from './ids.js'
export { type FakeTwitchIrc, type IrcLine, parseIrc, startFakeTwitchIrc, type ViewerMessage } from './irc-server.js'
