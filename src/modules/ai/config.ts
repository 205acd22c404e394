/**
 * `modules.ai` settings (waddlebot.yaml, or `WADDLEBOT_AI_<KEY>` for the top-level keys) and the per-community
 * overrides under `communities.<community_id>`: everything that shapes an answer (model, temperature,
 * max_tokens, system prompt, reply prefix), the triggers, the limits and the caps can differ per community.
 */
import { z } from 'zod'

/** Greeting words (upstream's list, matched as the message's first word). */
export const DEFAULT_GREETINGS = [
  'o7',
  'hi',
  'hello',
  'hey',
  'howdy',
  'greetings',
  'sup',
  'hiya',
  'morning',
  'evening',
  'afternoon',
] as const

/** Event types the `events` trigger may answer. */
export const EVENT_TYPES = ['follow', 'subscription', 'raid'] as const
export type AiEventType = (typeof EVENT_TYPES)[number]

/** The settings a community may override: each one's schema and default. */
const communitySettings = {
  /** Model name sent to the provider ('' = `AI_MODEL`, else llama3.2 for Ollama / gpt-4o-mini for OpenAI). */
  model: [z.string().max(200), ''],
  temperature: [z.number().min(0).max(2), 0.7],
  /** Most tokens one answer may use. */
  max_tokens: [z.number().int().min(1).max(8000), 300],
  system_prompt: [
    z.string().max(4000),
    'You are a friendly, concise chat bot in a live-stream chat. Answer in one or two short sentences, no markdown.',
  ],
  /** Put before every answer. */
  reply_prefix: [z.string().max(40), '🤖 '],
  /** A chat line sent at once while the answer is on its way ('' = none). */
  thinking_text: [z.string().max(200), ''],
  /** Answer messages that mention one of `bot_names` (`@name` or the word). */
  mention: [z.boolean(), true],
  bot_names: [z.array(z.string().min(1).max(64)).max(20), ['waddlebot']],
  /** Answer messages ending with `question_trigger`. */
  questions: [z.boolean(), false],
  question_trigger: [z.string().min(1).max(20), '?'],
  /** Answer messages whose first word is a greeting. */
  greetings: [z.boolean(), false],
  greeting_words: [z.array(z.string().min(1).max(40)).max(100), [...DEFAULT_GREETINGS]],
  /** Platform events answered with a line (follow, subscription, raid). */
  events: [z.array(z.enum(EVENT_TYPES)), []],
  /** Conversation turns (question + answer) remembered per channel. */
  context_turns: [z.number().int().min(0).max(50), 5],
  /** Estimated tokens of system prompt + remembered turns + question sent at most (oldest turns drop first). */
  context_token_budget: [z.number().int().min(100).max(100_000), 1500],
  /** A channel's context is forgotten after this long without a question. */
  context_ttl_ms: [z.number().int().min(1000), 60 * 60_000],
  /** Questions per user per minute in a channel. */
  user_per_minute: [z.number().int().min(1).max(1000), 3],
  /** Questions per channel per minute, across users. */
  channel_per_minute: [z.number().int().min(1).max(10_000), 20],
  /** Tokens a community may use per UTC day (0 = no cap). */
  daily_token_cap: [z.number().int().min(0), 100_000],
  /** Tokens one user may use per UTC day in a community (0 = no cap). */
  user_daily_token_cap: [z.number().int().min(0), 10_000],
} as const satisfies Record<string, readonly [z.ZodType, unknown]>

type Settings = typeof communitySettings
type Shape<F> = {
  [K in keyof Settings]: F extends 'default' ? z.ZodDefault<Settings[K][0]> : z.ZodOptional<Settings[K][0]>
}

const keys = Object.keys(communitySettings) as (keyof Settings)[]
const withDefaults = Object.fromEntries(
  keys.map((k) => [k, (communitySettings[k][0] as z.ZodType).default(communitySettings[k][1] as never)]),
) as Shape<'default'>
const optional = Object.fromEntries(
  keys.map((k) => [k, (communitySettings[k][0] as z.ZodType).optional()]),
) as Shape<'optional'>

export const aiConfigSchema = z.object({
  ...withDefaults,
  /** Provider request deadline. */
  timeout_ms: z.number().int().min(100).max(300_000).default(30_000),
  /** Provider calls in flight per process; further questions get a "busy" line. */
  max_concurrent: z.number().int().min(1).max(1000).default(10),
  communities: z.record(z.string(), z.object(optional).strict()).default({}),
})

export type AiConfig = z.infer<typeof aiConfigSchema>

/** The settings in force for one community: the module's, overridden key by key by its `communities` entry. */
export type CommunityConfig = Omit<AiConfig, 'communities' | 'timeout_ms' | 'max_concurrent'>

export function configFor(config: AiConfig, communityId: string): CommunityConfig {
  const { communities, timeout_ms: _t, max_concurrent: _m, ...base } = config
  const own = communities[communityId] ?? {}
  const defined = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined))
  return { ...base, ...defined } as CommunityConfig
}
