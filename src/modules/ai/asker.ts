/**
 * One AI question from trigger to chat line. The fast part runs inside the router's call and answers at
 * once: rate limits (per user and per channel, on the runtime's limiter), the in-flight ceiling, the router's
 * moderation over the prompt, the context and the cap reservation. The provider call then runs in the
 * background and its line (the answer, or one friendly refusal) goes to chat through the router's
 * `POST /api/v1/responses`, so a slow provider never holds the router.
 */
import type { CommandContext, Reply } from '../../runtime/module.js'
import type { RateLimiter } from '../../runtime/rate-limit/types.js'
import { type CommunityConfig, configFor, type AiConfig } from './config.js'
import { appendTurn, buildPrompt, estimateMessages, estimateTokens, readTurns } from './conversation.js'
import { moderationBlock } from './guard.js'
import { type ChatMessage, type Provider, ProviderError } from './providers.js'
import { fitReply, limitFor, lines } from './replies.js'
import { aiRequests, type Reservation, release, reserve, settle } from './usage.js'

/** What the module's setup builds. */
export interface AiState {
  readonly provider: Provider
  readonly limiter: RateLimiter
  readonly now: () => number
  /** Answers on their way (awaited at teardown; tests await them too). */
  readonly jobs: Set<Promise<void>>
  readonly stopping: AbortController
  /** Stops /metrics reading this module's usage. */
  readonly dropUsageSource: () => void
}

export type AiContext = CommandContext<AiConfig, AiState>

/** Where a question came from: chat (stored in the channel's context) or a platform event (not stored). */
export type Origin = 'chat' | 'event'

const RATE_WINDOW_MS = 60_000
/** Waits before re-posting a reply the router did not know yet (its execution row may still be on its way). */
const REPOST_DELAYS_MS = [25, 50, 100, 200, 300, 500, 800, 1000, 1000, 1000]

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))
const nameOf = (ctx: AiContext) => ctx.request.user.display_name ?? ctx.request.user.name

/** The answered-at-once part. Returns the immediate reply (a refusal, the thinking line, or nothing). */
export async function ask(ctx: AiContext, question: string, origin: Origin): Promise<Reply> {
  const { request, state } = ctx
  const cfg = configFor(ctx.config, request.entity.community_id)
  const name = nameOf(ctx)
  try {
    const ready = await preflight(ctx, cfg, question, origin)
    if (ready === undefined || typeof ready === 'string') return ready
    const { messages, reservation } = ready
    const job = answerLater(ctx, cfg, question, origin, messages, reservation).finally(() => state.jobs.delete(job))
    state.jobs.add(job)
    return cfg.thinking_text && origin === 'chat' ? cfg.thinking_text : undefined
  } catch (error) {
    ctx.log.error({ err: error, entity: request.entity.id }, 'AI question failed before reaching the provider')
    aiRequests.inc({ result: 'failed' })
    return lines.failed(name)
  }
}

type Ready = { messages: ChatMessage[]; reservation: Reservation }

/** A refusal line, undefined (refused silently), or what the provider call needs. */
async function preflight(
  ctx: AiContext,
  cfg: CommunityConfig,
  question: string,
  origin: Origin,
): Promise<string | undefined | Ready> {
  const { request, state, cache } = ctx
  const entityId = request.entity.id
  const name = nameOf(ctx)
  const limits = await state.limiter.hitAll([
    { key: `ai:user:${entityId}:${request.user.id}`, limit: cfg.user_per_minute, windowMs: RATE_WINDOW_MS },
    { key: `ai:channel:${entityId}`, limit: cfg.channel_per_minute, windowMs: RATE_WINDOW_MS },
  ])
  if (!limits.allowed) {
    aiRequests.inc({ result: 'rate_limited' })
    const [user, channel] = limits.results
    const wait = Math.max(user!.retryAfterMs, channel!.retryAfterMs)
    // One line per user per refusal window, across replicas; events are refused silently.
    if (origin === 'event' || !(await cache.tryLock(`ai:notice:${entityId}:${request.user.id}`, wait))) return undefined
    return user!.allowed ? lines.channelBusy(name, seconds(wait)) : lines.slowDown(name, seconds(wait))
  }
  if (state.jobs.size >= ctx.config.max_concurrent) {
    aiRequests.inc({ result: 'busy' })
    return lines.busy(name)
  }
  const where = { entityId, communityId: request.entity.community_id }
  if (origin === 'chat') {
    const blocked = await moderationBlock(ctx.storage, question, where)
    if (blocked) {
      aiRequests.inc({ result: 'blocked_prompt' })
      ctx.log.info({ entity: entityId, user: request.user.id, by: blocked }, 'AI question blocked by moderation')
      return lines.blockedPrompt(name)
    }
  }
  const turns = cfg.context_turns > 0 ? (await readTurns(cache, entityId)).slice(-cfg.context_turns) : []
  const messages = buildPrompt(cfg.system_prompt, turns, name, question, cfg.context_token_budget)
  const verdict = await reserve(
    cache,
    { communityId: request.entity.community_id, userId: request.user.id },
    estimateMessages(messages) + cfg.max_tokens,
    { community: cfg.daily_token_cap, user: cfg.user_daily_token_cap },
    state.now(),
  )
  if (!verdict.ok) {
    aiRequests.inc({ result: 'capped' })
    return verdict.cap === 'community' ? lines.communityCap(name) : lines.userCap(name)
  }
  return { messages, reservation: verdict.reservation }
}

/** The background part: the provider call, the reply's moderation, usage, context, and the chat line. */
async function answerLater(
  ctx: AiContext,
  cfg: CommunityConfig,
  question: string,
  origin: Origin,
  messages: ChatMessage[],
  reservation: Reservation,
): Promise<void> {
  const { request, state, cache } = ctx
  const name = nameOf(ctx)
  const entityId = request.entity.id
  let line: string
  let settled = false
  try {
    // Let the router have its answer first: starting the HTTP request is work too.
    await new Promise((resolve) => setImmediate(resolve))
    const completion = await state.provider.complete(
      {
        model: cfg.model || ctx.settings.env.AI_MODEL || state.provider.defaultModel,
        messages,
        temperature: cfg.temperature,
        maxTokens: cfg.max_tokens,
      },
      state.stopping.signal,
    )
    const text = completion.text.trim()
    const used = completion.tokens ?? estimateMessages(messages) + estimateTokens(text)
    await settle(cache, ctx.storage, reservation, used, state.provider.name, state.now())
    settled = true
    if (!text) throw new ProviderError(state.provider.name, 200, 'the answer is empty')
    const blocked = await moderationBlock(ctx.storage, text, { entityId, communityId: request.entity.community_id })
    if (blocked) {
      aiRequests.inc({ result: 'blocked_reply' })
      ctx.log.info({ entity: entityId, user: request.user.id, by: blocked }, 'AI answer blocked by moderation')
      line = lines.blockedReply(name)
    } else {
      aiRequests.inc({ result: 'answered' })
      line = fitReply(cfg.reply_prefix, text, limitFor(request.entity.platform))
      if (origin === 'chat' && cfg.context_turns > 0)
        await appendTurn(
          cache,
          entityId,
          { user: name, question, answer: text, at: state.now() },
          cfg.context_turns,
          cfg.context_ttl_ms,
        )
    }
  } catch (error) {
    if (!settled) await release(cache, reservation).catch(() => undefined)
    if (state.stopping.signal.aborted) return
    aiRequests.inc({ result: 'failed' })
    ctx.log.warn({ err: error, entity: entityId }, 'AI answer failed')
    line = error instanceof ProviderError && error.timedOut ? lines.timedOut(name) : lines.failed(name)
  }
  await postLine(ctx, line)
}

/** Sends one chat line for the execution being answered through the router's `POST /api/v1/responses`. */
async function postLine(ctx: AiContext, text: string): Promise<void> {
  const { request, state } = ctx
  const body = {
    execution_id: request.execution_id,
    session_id: request.session_id,
    module: ctx.module,
    success: true,
    responses: [{ type: 'chat', text }],
  }
  for (let attempt = 0; ; attempt++) {
    if (state.stopping.signal.aborted) return
    let status: number
    try {
      status = (await ctx.modules.request('router', '/api/v1/responses', { body, timeoutMs: 5000 })).status
    } catch (error) {
      ctx.log.warn({ err: error, execution: request.execution_id }, 'AI answer not delivered: router unreachable')
      return
    }
    if (status === 202) return
    const delay = REPOST_DELAYS_MS[attempt]
    // 404: the router has not recorded the execution yet (its log row is written off the hot path).
    if (status !== 404 || delay === undefined) {
      ctx.log.warn({ status, execution: request.execution_id }, 'AI answer not delivered: the router refused it')
      return
    }
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}
