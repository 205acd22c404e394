/**
 * ai (port 8005): answers chat with a language model, OpenAI-compatible or Ollama (`AI_PROVIDER`). Triggers:
 * `!ai` / `!ask`, mentions of the bot, and (switchable) questions, greetings and follow/subscription/raid
 * events. Guardrails: per-user and per-channel rate limits, daily token caps shared through the cache, the
 * router's moderation over prompt and answer, platform length limits. The answer always arrives later,
 * through the router's `POST /api/v1/responses`. See docs/ai.md.
 */
import { defineModule, type ModuleDefinition } from '../../runtime/module.js'
import { createRateLimiter } from '../../runtime/rate-limit/index.js'
import { type AiContext, type AiState, ask } from './asker.js'
import { type AiConfig, aiConfigSchema, configFor, EVENT_TYPES, type AiEventType } from './config.js'
import { manifest } from './manifest.js'
import { aiMigrations } from './migrations.js'
import { type Provider, providerFromEnv } from './providers.js'
import { lines } from './replies.js'
import { aiRoutes } from './routes.js'
import { chatTrigger, eventPrompt } from './triggers.js'
import { addUsageSource } from './usage.js'

export type { AiState } from './asker.js'
export type { AiConfig } from './config.js'

export interface AiOptions {
  /** The clock (epoch ms) for caps and usage days; default Date.now. */
  readonly now?: () => number
  /** The provider; default the one `AI_PROVIDER` names. */
  readonly provider?: Provider
}

const isEventType = (t: string): t is AiEventType => (EVENT_TYPES as readonly string[]).includes(t)

/** Builds the module; the default export reads the provider from the environment. */
export function createAiModule(options: AiOptions = {}): ModuleDefinition<AiConfig, AiState> {
  return defineModule<AiConfig, AiState>({
    name: manifest.name,
    version: '0.1.0',
    kind: manifest.kind,
    summary: manifest.summary,
    port: manifest.port,
    config: aiConfigSchema,
    migrations: aiMigrations,
    commands: [
      {
        name: 'ai',
        aliases: ['ask'],
        summary: 'Ask the AI a question',
        usage: '<question>',
        run(ctx) {
          const question = ctx.args.join(' ').trim()
          if (!question) return lines.usage(ctx.request.command || '!ai')
          return ask(ctx as AiContext, question, 'chat')
        },
      },
    ],
    events: [
      {
        name: 'chat',
        types: ['chatMessage'],
        mode: 'parallel',
        run(ctx) {
          const message = ctx.request.raw_message
          if (!chatTrigger(message, configFor(ctx.config, ctx.request.entity.community_id))) return undefined
          return ask(ctx as AiContext, message.trim(), 'chat')
        },
      },
      {
        name: 'events',
        types: [...EVENT_TYPES],
        mode: 'parallel',
        run(ctx) {
          const type = ctx.request.event?.type ?? ''
          if (!isEventType(type) || !configFor(ctx.config, ctx.request.entity.community_id).events.includes(type))
            return undefined
          return ask(ctx as AiContext, eventPrompt(type, ctx.request.event?.data ?? {}), 'event')
        },
      },
    ],
    async setup(ctx) {
      const now = options.now ?? Date.now
      const provider = options.provider ?? providerFromEnv(ctx.settings.env, ctx.config.timeout_ms)
      const limiter = await createRateLimiter({
        redisUrl: ctx.settings.redisUrl,
        namespace: ctx.settings.redisPrefix,
        onError: (err, context) => ctx.log.warn({ err, context }, 'AI rate limiter error'),
      })
      ctx.log.info({ provider: provider.name, url: provider.url }, 'AI provider')
      const dropUsageSource = addUsageSource({ db: ctx.storage, now })
      return { provider, limiter, now, jobs: new Set(), stopping: new AbortController(), dropUsageSource }
    },
    async teardown({ state }) {
      state.stopping.abort()
      await Promise.allSettled([...state.jobs])
      state.dropUsageSource()
      await state.limiter.close()
    },
    health: ({ state, config, settings }) => ({
      provider: state.provider.name,
      model: config.model || settings.env.AI_MODEL || state.provider.defaultModel,
      answering: state.jobs.size,
    }),
    routes: aiRoutes,
  })
}

export default createAiModule()
