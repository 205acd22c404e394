/**
 * The router pipeline for one validated event: entity, session, command detection, lookup, enablement,
 * permission, execution through the module client (in-process or HTTP), execution log, overlays, outcome.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { entityIdOf, type InboundEvent } from '../../contract/events.js'
import type { ExecutionRequest, ExecutionResult } from '../../contract/execution.js'
import type { EventResult, Outcome } from '../../contract/router.js'
import type { ProcessedSummary } from '../../contract/stream.js'
import { isWaddleError, WaddleError } from '../../runtime/errors.js'
import { commandExecutions, commandLatency, eventsIn } from '../../runtime/metrics.js'
import type { SetupContext } from '../../runtime/module.js'
import { TimeoutError } from '../../runtime/module-clients.js'
import { createRateLimiter } from '../../runtime/rate-limit/index.js'
import { TargetRegistry } from '../../runtime/targets/index.js'
import { OverlayClient } from '../browser-source/public.js'
import { CommandIndex, type CommandRow } from './command-index.js'
import { ENTITIES_CHANGED, EntityBook } from './entities.js'
import { type Attempt, EventRun, type RunDeps } from './event-run.js'
import { ExecutionLog } from './execution-log.js'
import { createExecutionWriter } from './execution-writer.js'
import { FilterStage, withFilterResponses } from './filters/engine.js'
import { identityResolverFor } from './identities.js'
import { createCommandLimits } from './limits.js'
import { createModeration, STOPPING } from './moderation.js'
import { ObserverQueue } from './observers.js'
import { parseCommand } from './parse.js'
import { Permissions } from './permissions.js'
import { type SessionStore, sessionStoreFor } from './sessions.js'
import { deliverWhispers } from './whispers.js'

export type { ProcessedSummary } from '../../contract/stream.js'

export interface Pipeline {
  /** The string-match rules currently compiled (rebuilt when rules change). */
  readonly rules: import('./matcher/matcher-cache.js').RuleMatcher
  /** Emits `processed` with a ProcessedSummary after every event. */
  readonly activity: EventEmitter<{ processed: [ProcessedSummary] }>
  readonly index: CommandIndex
  readonly executions: ExecutionLog
  readonly overlay: OverlayClient
  /** The spam filters (settings reload on `filters:changed`). */
  readonly filters: FilterStage
  /** Events batched to module observers. */
  readonly observers: ObserverQueue
  /** Which entity each session belongs to (sessions.ts), for modules' later replies. */
  readonly sessions: SessionStore
  /**
   * Runs one event. `writes`, when given, receives one promise per execution-log row the event produced;
   * pass it to `committed` before acknowledging the event to its sender.
   */
  process(event: InboundEvent, writes?: Promise<void>[]): Promise<EventResult>
  /** Resolves once every row in `writes` is committed; a failed write becomes WB_STORAGE_UNREACHABLE (503). */
  committed(writes: readonly Promise<void>[]): Promise<void>
  close(): Promise<void>
}

/** Waits for execution-log rows; a write that failed means the event was not recorded, so it is not acknowledged. */
async function awaitCommitted(writes: readonly Promise<void>[]): Promise<void> {
  if (writes.length === 0) return
  try {
    await (writes.length === 1 ? writes[0] : Promise.all(writes))
  } catch (error) {
    if (isWaddleError(error)) throw error
    throw new WaddleError(
      'WB_STORAGE_UNREACHABLE',
      { reason: `execution not recorded: ${(error as Error).message}` },
      { cause: error },
    )
  }
}

export async function createPipeline(ctx: SetupContext): Promise<Pipeline> {
  const runnable = new Set(ctx.modules.runnable())
  // Command lookups on a miss read the replica, unless a module or an override changed the table just now.
  const index = new CommandIndex(ctx.storage.read('commands'), (module) => runnable.has(module))
  const entities = new EntityBook(ctx.storage)
  const permissions = new Permissions(ctx.storage, ctx.cache)
  const executions = new ExecutionLog(createExecutionWriter(ctx.storage), ctx.log)
  const overlay = new OverlayClient(ctx.modules, ctx.log)
  const limiter = await createRateLimiter({
    redisUrl: ctx.settings.redisUrl,
    namespace: ctx.settings.redisPrefix,
    onError: (err, context) => ctx.log.warn({ err, context }, 'rate limiter error'),
    onRecovered: (downMs) => ctx.log.info({ down_ms: downMs }, 'Redis recovered (rate limiter)'),
  })
  const limits = createCommandLimits(limiter, ctx.cache)
  const targets = new TargetRegistry({
    modules: ctx.modules,
    env: ctx.settings.env,
    policy: {
      onRetry: (i) =>
        ctx.log.warn(
          { target: i.target, execution: i.executionId, retry: i.retry, err: i.error },
          'retrying execution',
        ),
    },
  })
  const moderation = await createModeration(ctx)
  const filters = new FilterStage({
    storage: ctx.storage,
    cache: ctx.cache,
    onError: (err, context) => ctx.log.warn({ err, context }, 'spam filters'),
  })
  await filters.start()
  await index.reload()
  const unsubscribes = [
    await ctx.cache.subscribe('commands:changed', () => {
      index.reload().catch((err) => ctx.log.error({ err }, 'command reload failed'))
    }),
    await ctx.cache.subscribe(ENTITIES_CHANGED, (message) => {
      const id = (message as { entity_id?: unknown } | null)?.entity_id
      entities.forget(typeof id === 'string' ? id : undefined)
    }),
  ]
  const identities = await identityResolverFor(ctx)

  async function execute(row: CommandRow, request: ExecutionRequest): Promise<Attempt> {
    const started = performance.now()
    let outcome: Outcome = 'command'
    let result: ExecutionResult | undefined
    let error: string | undefined
    try {
      result = await targets.for(row).execute(request, { timeoutMs: row.timeout_ms || 5000 })
      const allowed = row.response_types
      // A marketplace module answers only with what the community approved (its scopes).
      if (allowed) result = { ...result, responses: result.responses.filter((r) => allowed.includes(r.type)) }
      if (!result.success) {
        outcome = 'module_error'
        error = result.error ?? 'failed'
      } else if (result.responses.some((r) => r.type === 'whisper')) {
        const whispers = await deliverWhispers(ctx.modules, request.entity.platform, result.responses)
        result = { ...result, responses: whispers.responses, ...(whispers.error ? { error: whispers.error } : {}) }
        error = whispers.error
      }
    } catch (e) {
      outcome = e instanceof TimeoutError ? 'timeout' : 'module_error'
      error = (e as Error).message
      ctx.log.warn({ target_module: row.module, command: request.command, err: e }, 'execution failed')
    }
    const ms = performance.now() - started
    commandLatency.observe({ module: row.module }, ms / 1000)
    const status = outcome === 'command' ? 'success' : outcome === 'timeout' ? 'timeout' : 'failed'
    commandExecutions.inc({ command: request.command, module: row.module, status })
    const now = Date.now()
    const written = executions.add({
      execution_id: request.execution_id,
      command_id: String(row.id),
      command: request.command,
      module: row.module,
      entity_id: request.entity.id,
      user_id: request.user.id,
      user_name: request.user.name,
      session_id: request.session_id,
      message_content: request.raw_message,
      args: JSON.stringify(request.args),
      trigger: request.trigger,
      status,
      response: result ? JSON.stringify(result.responses) : null,
      error_message: error ?? null,
      execution_time_ms: Math.round(ms * 1000) / 1000,
      created_at: now,
      completed_at: now,
    })
    return result ? { result, outcome, written } : { outcome, written }
  }

  const activity = new EventEmitter<{ processed: [ProcessedSummary] }>()
  activity.setMaxListeners(1000)
  /**
   * The session is stored when the event first reaches a module (a reply can only name an execution): plain
   * chat, most of a channel's traffic, costs no session write. Not awaited: a module's async reply needs it
   * much later (with Redis the write is queued on the connection before that read); a failure is logged.
   */
  const sessions = sessionStoreFor(ctx.cache, (err) => ctx.log.warn({ err }, 'session not stored'))
  const storeSession = (sessionId: string, entityId: string): void => sessions.remember(sessionId, entityId)
  const observers = new ObserverQueue(ctx.modules, ctx.log)
  const run: RunDeps = { index, permissions, limits, overlay, activity, execute, storeSession, observers, log: ctx.log }

  async function process(event: InboundEvent, writes?: Promise<void>[]): Promise<EventResult> {
    const started = performance.now()
    eventsIn.inc({ platform: event.platform, type: event.message_type })
    const entityId = entityIdOf(event)
    const communityId = await entities.ensure(entityId, event)
    const identityId = identities ? await identities.resolve(event) : undefined
    const sessionId = randomUUID()
    const r = new EventRun(run, event, entityId, communityId, sessionId, started, writes, identityId)

    const isChat = event.message_type === 'chatMessage' || event.message_type === 'slashCommand'
    const parsed = isChat ? parseCommand(event.message) : undefined
    const pending = isChat ? filters.check(event, entityId, communityId) : undefined
    const reaction = withFilterResponses(
      isChat ? moderation.check(event, entityId) : undefined,
      pending && (await filters.decide(pending)),
    )
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
    filters,
    observers,
    sessions,
    process,
    committed: (writes) => awaitCommitted(writes),
    async close() {
      for (const u of unsubscribes) await u()
      await identities?.close()
      await observers.drain()
      await moderation.close()
      await filters.close()
      await executions.close()
      await limiter.close()
      await targets.close()
    },
  }
}
