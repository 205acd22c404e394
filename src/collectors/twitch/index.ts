/**
 * The Twitch collector (port 8002; `waddlebot run collector twitch`): chat through tmi.js on the channels
 * this process has claimed from coordination, EventSub (over WebSocket, or webhooks at `POST /twitch/eventsub`)
 * with subscriptions the collector keeps itself, and Helix for whispers and moderation. Without TWITCH_BOT_USERNAME / TWITCH_BOT_TOKEN chat stays off and the webhook
 * is still served (`GET /twitch/status` and `/health` say why).
 */
import { secret } from '../core/collector-config.js'
import type { CollectorHandle } from '../core/collector-handle.js'
import { defineCollector } from '../core/collector-module.js'
import { createTwitchChat } from './chat.js'
import { DEFAULT_IRC_URL, TWITCH_BUDGET, type TwitchConfig, twitchConfigSchema } from './config.js'
import { eventSubRoutes } from './eventsub.js'
import { createEventSubService, eventSubStatus, withEventSub } from './eventsub-service.js'
import { createHelixClient } from './helix.js'
import type { TwitchPayload } from './render.js'

export default defineCollector<TwitchConfig, TwitchPayload>({
  name: 'twitch',
  version: '0.1.0',
  summary: 'Twitch chat, EventSub and Helix',
  port: 8002,
  config: twitchConfigSchema,
  defaultBudget: TWITCH_BUDGET,
  chatEnv: ['TWITCH_BOT_USERNAME', 'TWITCH_BOT_TOKEN'],
  webhookEnv: 'TWITCH_EVENTSUB_SECRET',
  createAdapter: (ctx, handle) => {
    const token = secret(ctx, 'TWITCH_BOT_TOKEN')!
    const clientId = secret(ctx, 'TWITCH_CLIENT_ID')
    const helix = clientId ? createHelixClient({ clientId, token, ...(secret(ctx, 'TWITCH_API_URL') ? { baseUrl: secret(ctx, 'TWITCH_API_URL')! } : {}) }) : undefined
    const chat = createTwitchChat(ctx, handle, { ircUrl: secret(ctx, 'TWITCH_IRC_URL') ?? DEFAULT_IRC_URL, username: secret(ctx, 'TWITCH_BOT_USERNAME')!, token, helix })
    return withEventSub(chat, createEventSubService(ctx, handle as CollectorHandle<unknown>, { token, clientId, botLogin: secret(ctx, 'TWITCH_BOT_USERNAME')!, helix }))
  },
  status: (ctx) => eventSubStatus(ctx),
  routes: (app, ctx, handle) => eventSubRoutes(app, ctx, handle),
})

export type { TwitchPayload }
