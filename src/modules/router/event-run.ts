/**
 * One event on its way through the router pipeline (pipeline.ts builds it): the outcome and its metrics,
 * the execution requests, a command's permission and rate-limit checks, and the event handlers.
 */
import type { EventEmitter } from 'node:events'
import type { InboundEvent } from '../../contract/events.js'
import type { ExecutionRequest, ExecutionResult, ObservedEvent } from '../../contract/execution.js'
import type { Response } from '../../contract/responses.js'
import type { EventResult, Outcome } from '../../contract/router.js'
import { isCacheOutage } from '../../runtime/cache/index.js'
import { eventOutcomes, eventsOut, rateLimitRefusals } from '../../runtime/metrics.js'
import type { ModuleContext } from '../../runtime/module.js'
import { timeOrderedId } from '../../runtime/time-ordered-id.js'
import type { OverlayClient } from '../browser-source/public.js'
import type { CommandIndex, CommandRow } from './command-index.js'
import { type createCommandLimits, limitScope } from './limits.js'
import type { ObserverQueue } from './observers.js'
import type { ParsedCommand } from './parse.js'
import type { Permissions } from './permissions.js'
import type { ProcessedSummary } from './pipeline.js'
import { nextStep, platformResponses } from './reentry.js'

/** What one execution came to. */
export interface Attempt {
  result?: ExecutionResult
  outcome: Outcome
  /** Settles when the execution's log row is committed. */
  written?: Promise<void>
}

/** What an EventRun needs from its pipeline (created once per pipeline, shared by every event). */
export interface RunDeps {
  readonly index: CommandIndex
  readonly permissions: Permissions
  readonly limits: ReturnType<typeof createCommandLimits>
  readonly overlay: OverlayClient
  readonly activity: EventEmitter<{ processed: [ProcessedSummary] }>
  readonly execute: (row: CommandRow, request: ExecutionRequest) => Promise<Attempt>
  readonly storeSession: (sessionId: string, entityId: string) => void
  readonly observers: ObserverQueue
  readonly log: ModuleContext['log']
}

/**
 * One event on its way through the pipeline. A class rather than closures made per event: the hot path
 * allocates one object instead of several functions.
 */
export class EventRun {
  #sessionStored = false

  constructor(
    private readonly deps: RunDeps,
    private readonly event: InboundEvent,
    private readonly entityId: string,
    private readonly communityId: string,
    private readonly sessionId: string,
    private readonly started: number,
    /** Collects the execution-log writes of this event, when its caller acknowledges only committed rows. */
    private readonly writes?: Promise<void>[],
    /** The person behind the event's user (identity module), when it runs. */
    private readonly identityId?: string,
  ) {}

  /** Runs one execution, noting its log write. */
  async #execute(row: CommandRow, request: ExecutionRequest): Promise<Attempt> {
    const attempt = await this.deps.execute(row, request)
    if (attempt.written && this.writes) this.writes.push(attempt.written)
    return attempt
  }

  done(outcome: Outcome, responses: Response[] = [], command?: string): EventResult {
    const { event, entityId, communityId, deps } = this
    eventOutcomes.inc({ outcome })
    for (const r of responses) eventsOut.inc({ platform: event.platform, type: r.type })
    if (responses.length > 0) void deps.overlay.forward({ entityId, communityId }, responses)
    if (deps.activity.listenerCount('processed') > 0) {
      const moderation = responses.filter((r) => r.type === 'moderation').map((r) => r.action)
      deps.activity.emit('processed', {
        time: Date.now(),
        platform: event.platform,
        entity_id: entityId,
        channel_id: event.channel_id,
        user: event.display_name ?? event.user_name,
        message_type: event.message_type,
        outcome,
        latency_ms: Math.round((performance.now() - this.started) * 1000) / 1000,
        ...(command ? { command } : {}),
        ...(moderation.length ? { moderation } : {}),
        responses: responses.length,
      })
    }
    const processed = outcome === 'command' || outcome === 'string_match' || outcome === 'event'
    // Two literal shapes instead of a conditional spread (a spread followed by more properties is V8's slow path).
    const session_id = this.sessionId
    return command
      ? { session_id, entity_id: entityId, processed, outcome, command, responses }
      : { session_id, entity_id: entityId, processed, outcome, responses }
  }

  /** The event's user as executions and observers see it: one literal per shape, in the contract's key order. */
  #user(): ExecutionRequest['user'] {
    const { event, identityId } = this
    const id = event.user_id
    const name = event.user_name
    const roles = event.roles ?? []
    const display_name = event.display_name
    if (display_name)
      return identityId ? { id, name, display_name, roles, identity_id: identityId } : { id, name, display_name, roles }
    return identityId ? { id, name, roles, identity_id: identityId } : { id, name, roles }
  }

  #entity(): ExecutionRequest['entity'] {
    const { event } = this
    return {
      id: this.entityId,
      platform: event.platform,
      server_id: event.server_id,
      channel_id: event.channel_id,
      community_id: this.communityId,
    }
  }

  /** The event as observers see it: an execution request's user, entity and event, without a command. */
  observed(): ObservedEvent {
    const { event } = this
    return {
      session_id: this.sessionId,
      raw_message: event.message ?? '',
      user: this.#user(),
      entity: this.#entity(),
      event: { type: event.message_type, data: event.metadata ?? {} },
    }
  }

  /** The request for one execution; the first one stores the event's session. */
  request(command: string, args: string[], trigger: 'command' | 'event', rawMessage?: string): ExecutionRequest {
    const { event } = this
    if (!this.#sessionStored) {
      this.#sessionStored = true
      this.deps.storeSession(this.sessionId, this.entityId)
    }
    const request: ExecutionRequest = {
      execution_id: timeOrderedId(),
      session_id: this.sessionId,
      command,
      args,
      raw_message: rawMessage ?? event.message ?? '',
      trigger,
      user: this.#user(),
      entity: this.#entity(),
    }
    if (trigger === 'event') request.event = { type: event.message_type, data: event.metadata ?? {} }
    return request
  }

  /**
   * Runs a command as the event's user. `chain` holds the commands this event already ran that re-entered
   * the router (reentry.ts): `message` is then the re-entered command line.
   */
  async runCommand(
    parsed: ParsedCommand,
    before: Response[] = [],
    success: Outcome = 'command',
    chain: readonly string[] = [],
    message?: string,
  ): Promise<EventResult> {
    const { event, entityId, communityId, deps } = this
    const command = `${parsed.prefix}${parsed.name}`
    const found = await deps.index.find(parsed.prefix, parsed.name)
    const row = found && (await deps.index.inCommunity(found, communityId))
    if (!row) return this.done('unknown_command', before, command)
    const { enabled, permission, rateLimit, cooldownMs, entityRateLimit } = deps.index.effective(
      row,
      entityId,
      communityId,
    )
    if (!enabled) return this.done('unknown_command', before, command)
    const subject = {
      communityId,
      platform: event.platform,
      userId: event.user_id,
      roles: event.roles ?? [],
      identityId: this.identityId,
    }
    if (!(await deps.permissions.allows(subject, permission))) {
      const mention = `@${event.display_name ?? event.user_name}`
      return this.done(
        'forbidden',
        [...before, { type: 'chat', text: `${mention} ${command} is for ${permission}s and above.` }],
        command,
      )
    }
    if (rateLimit > 0 || cooldownMs > 0 || entityRateLimit > 0) {
      // Limits follow the person (identity) across the community's channels on every platform.
      const verdict = await deps.limits
        .check({
          command,
          userId: this.identityId ?? event.user_id,
          entityId: limitScope(entityId, communityId),
          displayName: event.display_name ?? event.user_name,
          rateLimit,
          cooldownMs,
          entityRateLimit,
        })
        .catch((err: unknown) => {
          // During a Redis outage (reported once when it starts) commands run unlimited rather than not at all.
          if (!isCacheOutage(err))
            deps.log.error({ err, command }, 'rate limit check failed; letting the command through')
          return { ok: true } as const
        })
      if (!verdict.ok) {
        rateLimitRefusals.inc({ command, reason: verdict.reason })
        return this.done(
          'rate_limited',
          verdict.notice ? [...before, { type: 'chat', text: verdict.notice }] : before,
          command,
        )
      }
    }
    const { result, outcome } = await this.#execute(row, this.request(command, parsed.args, 'command', message))
    // A failing catch-all (the alias module down) must not turn every unknown word into an error line.
    if (row.name === '*' && outcome !== 'command') return this.done('unknown_command', before, command)
    if (outcome === 'timeout')
      return this.done(
        outcome,
        [...before, { type: 'chat', text: `${command} took too long to answer. Try again in a moment.` }],
        command,
      )
    if (outcome === 'module_error')
      return this.done(
        outcome,
        [...before, { type: 'chat', text: `${command} failed. The bot's operator can see why in the logs.` }],
        command,
      )
    const answered = result?.responses ?? []
    // The catch-all (`*`, the alias module) answering nothing means no custom command has that name.
    if (row.name === '*' && answered.length === 0) return this.done('unknown_command', before, command)
    const step = nextStep([...chain, command], answered)
    const responses = before.length ? [...before, ...step.responses] : step.responses
    if (step.kind === 'run') return this.runCommand(step.parsed, responses, success, [...chain, command], step.message)
    return this.done(step.kind === 'stop' ? 'module_error' : success, responses, command)
  }

  /** Non-chat events (and chat without a command): every enabled handler, sequential ones first. */
  async runHandlers(): Promise<EventResult> {
    const { event, entityId, communityId, deps } = this
    const observers = deps.index.observersFor(event.message_type)
    if (observers.length > 0) {
      const enabled = observers.filter((o) => deps.index.effective(o, entityId, communityId).enabled)
      if (enabled.length > 0) deps.observers.add(enabled, this.observed())
    }
    const handlers = deps.index
      .handlersFor(event.message_type)
      .filter((h) => deps.index.effective(h, entityId, communityId).enabled)
    if (handlers.length === 0) return this.done('ignored')
    const responses: Response[] = []
    const handlerName = (h: CommandRow) => h.name.slice(h.module.length + 1)
    for (const h of handlers.filter((x) => x.execution_mode !== 'parallel')) {
      responses.push(
        ...platformResponses(
          (await this.#execute(h, this.request(handlerName(h), [], 'event'))).result?.responses ?? [],
        ),
      )
    }
    const parallel = handlers.filter((x) => x.execution_mode === 'parallel')
    for (const s of await Promise.all(
      parallel.map((h) => this.#execute(h, this.request(handlerName(h), [], 'event'))),
    )) {
      responses.push(...platformResponses(s.result?.responses ?? []))
    }
    return this.done('event', responses)
  }
}
