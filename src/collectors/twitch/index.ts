/**
 * The Twitch collector (port 8002; `waddlebot run collector twitch`): chat through tmi.js on the channels
 * this process has claimed from coordination, EventSub webhooks at `POST /twitch/eventsub`, and Helix for
 * whispers and moderation. Without TWITCH_BOT_USERNAME / TWITCH_BOT_TOKEN chat stays off and the webhook
 * is still served (`GET /twitch/status` and `/health` say why).
 */
import { secret } from '../core/collector-config.js'
import { defineCollector } from '../core/collector-module.js'
import { createTwitchChat } from './chat.js'
import { DEFAULT_IRC_URL, TWITCH_BUDGET, type TwitchConfig, twitchConfigSchema } from './config.js'
import { eventSubRoutes } from './eventsub.js'
import { createHelixClient } from './helix.js'
import type { TwitchPayload } from './render.js'
import { tokenSourceFor } from './token-store.js'

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
    const tokens = tokenSourceFor(ctx.settings, ctx.log)
    const helix = clientId ? createHelixClient({ clientId, token: tokens ?? token, ...(secret(ctx, 'TWITCH_API_URL') ? { baseUrl: secret(ctx, 'TWITCH_API_URL')! } : {}) }) : undefined
    return createTwitchChat(ctx, handle, { ircUrl: secret(ctx, 'TWITCH_IRC_URL') ?? DEFAULT_IRC_URL, username: secret(ctx, 'TWITCH_BOT_USERNAME')!, token, tokens, helix })
  },
  routes: (app, ctx, handle) => eventSubRoutes(app, ctx, handle),
})

export type { TwitchPayload }
