/**
 * The router pipeline for one validated event: entity, session, command detection, lookup, enablement,
 * permission, execution through the module client (in-process or HTTP), execution log, overlays, outcome.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { entityIdOf, type InboundEvent } from '../../contract/events.js'
import type { ExecutionRequest, ExecutionResult } from '../../contract/execution.js'
import type { Response } from '../../contract/responses.js'
import type { EventResult, Outcome } from '../../contract/router.js'
import { commandExecutions, commandLatency, eventOutcomes, eventsIn, eventsOut, rateLimitRefusals } from '../../runtime/metrics.js'
import type { ModuleContext } from '../../runtime/module.js'
import { TimeoutError } from '../../runtime/module-clients.js'
import { createRateLimiter } from '../../runtime/rate-limit/index.js'
import { resolveServiceKey } from '../../runtime/service-key.js'
import { TargetRegistry } from '../../runtime/targets/index.js'
import { CommandIndex, type CommandRow } from './command-index.js'
import { EntityBook } from './entities.js'
import { ExecutionLog } from './execution-log.js'
import { createExecutionWriter } from './execution-writer.js'
import { OverlayForwarder } from './overlay-forward.js'
import { createCommandLimits } from './limits.js'
import { type ParsedCommand, parseCommand } from './parse.js'
import { createModeration, STOPPING } from './moderation.js'
import { Permissions } from './permissions.js'

export const SESSION_TTL_MS = 60 * 60 * 1000

/** One processed event, summarized for live monitoring (the router's event stream, the dashboard). */
export interface ProcessedSummary {
  readonly time: number
  readonly platform: string
  readonly entity_id: string
  readonly channel_id: string
  readonly user: string
  readonly message_type: string
  readonly command?: string
  readonly outcome: Outcome
  readonly latency_ms: number
  /** The moderation actions taken, if any. */
  readonly moderation?: readonly string[]
}

export interface Pipeline {
  /** The string-match rules currently compiled (rebuilt when rules change). */
  readonly rules: import('./matcher/matcher-cache.js').RuleMatcher
  /** Emits `processed` with a ProcessedSummary after every event. */
  readonly activity: EventEmitter<{ processed: [ProcessedSummary] }>
  readonly index: CommandIndex
  readonly executions: ExecutionLog
  readonly overlay: OverlayForwarder
  process(event: InboundEvent): Promise<EventResult>
  close(): Promise<void>
}

interface Attempt {
  result?: ExecutionResult
  outcome: Outcome
}

export async function createPipeline(ctx: ModuleContext): Promise<Pipeline> {
  const index = new CommandIndex(ctx.storage)
  const entities = new EntityBook(ctx.storage)
  const permissions = new Permissions(ctx.storage, ctx.cache)
  const executions = new ExecutionLog(createExecutionWriter(ctx.storage, ctx.settings.database.url, ctx.settings.projectDir), ctx.log)
  const overlay = new OverlayForwarder(() => ctx.settings.modules['browser-source']?.url ?? `http://127.0.0.1:${8027 + ctx.settings.portOffset}`, resolveServiceKey(ctx.settings), ctx.log)
  const limiter = await createRateLimiter({
    redisUrl: ctx.settings.redisUrl,
    namespace: ctx.settings.redisPrefix,
    onError: (err, context) => ctx.log.warn({ err, context }, 'rate limiter error'),
  })
  const limits = createCommandLimits(limiter, ctx.cache)
  const targets = new TargetRegistry({
    modules: ctx.modules,
    env: ctx.settings.env,
    policy: { onRetry: (i) => ctx.log.warn({ target: i.target, execution: i.executionId, retry: i.retry, err: i.error }, 'retrying execution') },
  })
  const moderation = await createModeration(ctx)
  await index.reload()
  const unsubscribe = await ctx.cache.subscribe('commands:changed', () => {
    index.reload().catch((err) => ctx.log.error({ err }, 'command reload failed'))
  })

  async function execute(row: CommandRow, request: ExecutionRequest): Promise<Attempt> {
    const started = performance.now()
    let outcome: Outcome = 'command'
    let result: ExecutionResult | undefined
    let error: string | undefined
    try {
      result = await targets.for(row).execute(request, { timeoutMs: row.timeout_ms || 5000 })
      if (!result.success) {
        outcome = 'module_error'
        error = result.error ?? 'failed'
      }
    } catch (e) {
      outcome = e instanceof TimeoutError ? 'timeout' : 'module_error'
      error = (e as Error).message
      ctx.log.warn({ module: row.module, command: request.command, err: e }, 'execution failed')
    }
    const ms = performance.now() - started
    commandLatency.observe({ module: row.module }, ms / 1000)
    const status = outcome === 'command' ? 'success' : outcome === 'timeout' ? 'timeout' : 'failed'
    commandExecutions.inc({ command: request.command, module: row.module, status })
    const now = Date.now()
    executions.add({
      execution_id: request.execution_id, command_id: String(row.id), command: request.command, module: row.module,
      entity_id: request.entity.id, user_id: request.user.id, user_name: request.user.name, session_id: request.session_id,
      message_content: request.raw_message, args: JSON.stringify(request.args), trigger: request.trigger, status,
      response: result ? JSON.stringify(result.responses) : null, error_message: error ?? null,
      execution_time_ms: Math.round(ms * 1000) / 1000, created_at: now, completed_at: now,
    })
    return result ? { result, outcome } : { outcome }
  }

  const activity = new EventEmitter<{ processed: [ProcessedSummary] }>()
  activity.setMaxListeners(1000)
  /**
   * The session is stored when the event first reaches a module (a reply can only name an execution): plain
   * chat, most of a channel's traffic, costs no cache write. Not awaited: a module's async reply needs it
   * much later (with Redis the write is queued on the connection before that read); a failure is logged.
   */
  const storeSession = (sessionId: string, entityId: string): void => {
    ctx.cache.set(`session:${sessionId}`, { entity_id: entityId }, SESSION_TTL_MS).catch((err: unknown) => ctx.log.warn({ err }, 'session not stored'))
  }
  const run: RunDeps = { index, permissions, limits, overlay, activity, execute, storeSession, log: ctx.log }

  async function process(event: InboundEvent): Promise<EventResult> {
    const started = performance.now()
    eventsIn.inc({ platform: event.platform, type: event.message_type })
    const entityId = entityIdOf(event)
    const communityId = await entities.ensure(entityId, event)
    const sessionId = randomUUID()
    const r = new EventRun(run, event, entityId, communityId, sessionId, started)

    const isChat = event.message_type === 'chatMessage' || event.message_type === 'slashCommand'
    const parsed = isChat ? parseCommand(event.message) : undefined
    const reaction = isChat ? moderation.check(event, entityId) : undefined
    if (reaction) {
      const stopped = reaction.responses.some((x) => x.type === 'moderation' && STOPPING.has(x.action))
      // A command rule runs its command as this user; otherwise a typed command still runs after a warning.
      const viaRule = !stopped && reaction.command ? parseCommand(reaction.command) : undefined
      if (viaRule) return r.runCommand(viaRule, reaction.responses, 'string_match')
      if (!stopped && parsed) return r.runCommand(parsed, reaction.responses)
      return r.done('string_match', reaction.responses)
    }
    if (parsed) return r.runCommand(parsed)
    return r.runHandlers()
  }

  return {
    rules: moderation.matcher,
    activity,
    index,
    executions,
    overlay,
    process,
    async close() {
      await unsubscribe()
      await moderation.close()
      await executions.close()
      await limiter.close()
      await targets.close()
    },
  }
}

/** What an EventRun needs from its pipeline (created once per pipeline, shared by every event). */
interface RunDeps {
  readonly index: CommandIndex
  readonly permissions: Permissions
  readonly limits: ReturnType<typeof createCommandLimits>
  readonly overlay: OverlayForwarder
  readonly activity: EventEmitter<{ processed: [ProcessedSummary] }>
  readonly execute: (row: CommandRow, request: ExecutionRequest) => Promise<Attempt>
  readonly storeSession: (sessionId: string, entityId: string) => void
  readonly log: ModuleContext['log']
}

/**
 * One event on its way through the pipeline. A class rather than closures made per event: the hot path
 * allocates one object instead of several functions.
 */
class EventRun {
  #sessionStored = false

  constructor(
    private readonly deps: RunDeps,
    private readonly event: InboundEvent,
    private readonly entityId: string,
    private readonly communityId: string,
    private readonly sessionId: string,
    private readonly started: number,
  ) {}

  done(outcome: Outcome, responses: Response[] = [], command?: string): EventResult {
    const { event, entityId, communityId, deps } = this
    eventOutcomes.inc({ outcome })
    for (const r of responses) eventsOut.inc({ platform: event.platform, type: r.type })
    if (responses.length > 0) void deps.overlay.forward({ entityId, communityId }, responses)
    if (deps.activity.listenerCount('processed') > 0) {
      const moderation = responses.filter((r) => r.type === 'moderation').map((r) => r.action)
      deps.activity.emit('processed', {
        time: Date.now(), platform: event.platform, entity_id: entityId, channel_id: event.channel_id,
        user: event.display_name ?? event.user_name, message_type: event.message_type, outcome,
        latency_ms: Math.round((performance.now() - this.started) * 1000) / 1000,
        ...(command ? { command } : {}), ...(moderation.length ? { moderation } : {}),
      })
    }
    const processed = outcome === 'command' || outcome === 'string_match' || outcome === 'event'
    return { session_id: this.sessionId, entity_id: entityId, processed, outcome, ...(command ? { command } : {}), responses }
  }

  /** The request for one execution; the first one stores the event's session. */
  request(command: string, args: string[], trigger: 'command' | 'event'): ExecutionRequest {
    const { event } = this
    if (!this.#sessionStored) {
      this.#sessionStored = true
      this.deps.storeSession(this.sessionId, this.entityId)
    }
    return {
      execution_id: randomUUID(),
      session_id: this.sessionId,
      command,
      args,
      raw_message: event.message ?? '',
      trigger,
      user: {
        id: event.user_id,
        name: event.user_name,
        ...(event.display_name ? { display_name: event.display_name } : {}),
        roles: event.roles ?? [],
      },
      entity: { id: this.entityId, platform: event.platform, server_id: event.server_id, channel_id: event.channel_id, community_id: this.communityId },
      ...(trigger === 'event' ? { event: { type: event.message_type, data: event.metadata ?? {} } } : {}),
    }
  }

  async runCommand(parsed: ParsedCommand, before: Response[] = [], success: Outcome = 'command'): Promise<EventResult> {
    const { event, entityId, communityId, deps } = this
    const command = `${parsed.prefix}${parsed.name}`
    const row = await deps.index.find(parsed.prefix, parsed.name)
    if (!row) return this.done('unknown_command', before, command)
    const { enabled, permission } = deps.index.effective(row, entityId, communityId)
    if (!enabled) return this.done('unknown_command', before, command)
    const subject = { communityId, platform: event.platform, userId: event.user_id, roles: event.roles ?? [] }
    if (!(await deps.permissions.allows(subject, permission))) {
      const mention = `@${event.display_name ?? event.user_name}`
      return this.done('forbidden', [...before, { type: 'chat', text: `${mention} ${command} is for ${permission}s and above.` }], command)
    }
    if (row.rate_limit > 0 || row.cooldown_ms > 0) {
      const verdict = await deps.limits
        .check({ command, userId: event.user_id, entityId, displayName: event.display_name ?? event.user_name, rateLimit: row.rate_limit, cooldownMs: row.cooldown_ms })
        .catch((err: unknown) => {
          deps.log.error({ err, command }, 'rate limit check failed; letting the command through')
          return { ok: true } as const
        })
      if (!verdict.ok) {
        rateLimitRefusals.inc({ command, reason: verdict.reason })
        return this.done('rate_limited', verdict.notice ? [...before, { type: 'chat', text: verdict.notice }] : before, command)
      }
    }
    const { result, outcome } = await deps.execute(row, this.request(command, parsed.args, 'command'))
    if (outcome === 'timeout') return this.done(outcome, [...before, { type: 'chat', text: `${command} took too long to answer. Try again in a moment.` }], command)
    if (outcome === 'module_error') return this.done(outcome, [...before, { type: 'chat', text: `${command} failed. The bot's operator can see why in the logs.` }], command)
    return this.done(success, before.length ? [...before, ...(result?.responses ?? [])] : (result?.responses ?? []), command)
  }

  /** Non-chat events (and chat without a command): every enabled handler, sequential ones first. */
  async runHandlers(): Promise<EventResult> {
    const { event, entityId, communityId, deps } = this
    const handlers = deps.index.handlersFor(event.message_type).filter((h) => deps.index.effective(h, entityId, communityId).enabled)
    if (handlers.length === 0) return this.done('ignored')
    const responses: Response[] = []
    const handlerName = (h: CommandRow) => h.name.slice(h.module.length + 1)
    for (const h of handlers.filter((x) => x.execution_mode !== 'parallel')) {
      responses.push(...((await deps.execute(h, this.request(handlerName(h), [], 'event'))).result?.responses ?? []))
    }
    const parallel = handlers.filter((x) => x.execution_mode === 'parallel')
    for (const s of await Promise.all(parallel.map((h) => deps.execute(h, this.request(handlerName(h), [], 'event'))))) {
      responses.push(...(s.result?.responses ?? []))
    }
    return this.done('event', responses)
  }
}
