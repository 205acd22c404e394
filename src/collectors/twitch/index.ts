/**
 * The Twitch collector (port 8002; `waddlebot run collector twitch`): chat through tmi.js on the channels
 * this process has claimed from coordination, EventSub (over WebSocket, or webhooks at `POST /twitch/eventsub`)
 * with subscriptions the collector keeps itself, and Helix for whispers and moderation. Without TWITCH_BOT_USERNAME / TWITCH_BOT_TOKEN chat stays off and the webhook
 * is still served (`GET /twitch/status` and `/health` say why).
 */
import { WaddleError } from '../../runtime/errors.js'
import { secret } from '../core/collector-config.js'
import type { CollectorHandle } from '../core/collector-handle.js'
import { defineCollector } from '../core/collector-module.js'
import type { WhisperSender } from '../core/whisper-route.js'
import { createTwitchChat } from './chat.js'
import { DEFAULT_IRC_URL, TWITCH_BUDGET, type TwitchConfig, twitchConfigSchema } from './config.js'
import { eventSubRoutes } from './eventsub.js'
import {
  createEventSubService,
  type EventSubService,
  eventSubHealth,
  eventSubStatus,
  withEventSub,
} from './eventsub-service.js'
import { createHelixClient, type HelixClient } from './helix.js'
import { manifest } from './manifest.js'
import type { TwitchPayload } from './render.js'
import { type TokenSource, tokenSourceFor } from './token-store.js'
import { createTwitchWhisper } from './whisper.js'

/** What the Twitch collector builds beside the core handle when chat is configured. */
export interface TwitchPlatform {
  readonly helix: HelixClient | undefined
  /** The refreshing token source when `waddlebot auth twitch` stored tokens. */
  readonly tokens: TokenSource | undefined
  readonly eventSub: EventSubService
  /** Whispers through Helix (whisper.ts), when TWITCH_CLIENT_ID is set. */
  readonly whisper: WhisperSender | undefined
}

export default defineCollector<TwitchConfig, TwitchPayload, TwitchPlatform | undefined>({
  name: manifest.name,
  version: '0.1.0',
  summary: manifest.summary,
  port: manifest.port,
  config: twitchConfigSchema,
  defaultBudget: TWITCH_BUDGET,
  chatEnv: ['TWITCH_BOT_USERNAME', 'TWITCH_BOT_TOKEN'],
  webhookEnv: 'TWITCH_EVENTSUB_SECRET',
  // Helix and EventSub come with chat (bot token and user name set); without them only the webhook is served.
  createPlatform: (ctx, handle) => {
    const token = secret(ctx, 'TWITCH_BOT_TOKEN')
    const botLogin = secret(ctx, 'TWITCH_BOT_USERNAME')
    if (!token || !botLogin) return undefined
    const clientId = secret(ctx, 'TWITCH_CLIENT_ID')
    const apiUrl = secret(ctx, 'TWITCH_API_URL')
    // The stored tokens of `waddlebot auth twitch` (refreshed before expiry and on 401), else the plain env token.
    const tokens = tokenSourceFor(ctx.settings, ctx.log)
    const helix = clientId
      ? createHelixClient({ clientId, token: tokens ?? token, ...(apiUrl ? { baseUrl: apiUrl } : {}) })
      : undefined
    return {
      helix,
      tokens,
      whisper: helix ? createTwitchWhisper(helix, botLogin) : undefined,
      eventSub: createEventSubService(ctx, handle as CollectorHandle<unknown>, { token, clientId, botLogin, helix }),
    }
  },
  createAdapter: (ctx, handle, twitch) => {
    // The adapter is only created with TWITCH_BOT_USERNAME and TWITCH_BOT_TOKEN set, so the platform exists.
    if (!twitch) throw new WaddleError('WB_TWITCH_NOT_CONFIGURED', { missing: 'TWITCH_BOT_USERNAME, TWITCH_BOT_TOKEN' })
    const chat = createTwitchChat(ctx, handle, {
      ircUrl: secret(ctx, 'TWITCH_IRC_URL') ?? DEFAULT_IRC_URL,
      username: secret(ctx, 'TWITCH_BOT_USERNAME') ?? '',
      token: secret(ctx, 'TWITCH_BOT_TOKEN') ?? '',
      tokens: twitch.tokens,
      helix: twitch.helix,
    })
    return withEventSub(chat, twitch.eventSub)
  },
  status: ({ platform }) => eventSubStatus(platform?.eventSub),
  health: ({ platform }) => eventSubHealth(platform?.eventSub),
  whisper: ({ platform }) => platform?.whisper,
  routes: (app, ctx, { handle, platform }) => eventSubRoutes(app, ctx, handle, platform?.eventSub),
})

export type { TwitchPayload }
