/**
 * The router pipeline for one validated event: entity, session, command detection, lookup, permission,
 * execution through the module client (in-process or HTTP), execution log, outcome.
 */
import { randomUUID } from 'node:crypto'
import { entityIdOf, type InboundEvent } from '../../contract/events.js'
import type { ExecutionRequest, ExecutionResult } from '../../contract/execution.js'
import type { Response } from '../../contract/responses.js'
import type { EventResult, Outcome } from '../../contract/router.js'
import { commandExecutions, commandLatency, eventOutcomes, eventsIn } from '../../runtime/metrics.js'
import { type ModuleContext, permissionRank, userLevel } from '../../runtime/module.js'
import { TimeoutError } from '../../runtime/module-clients.js'
import { sql } from '../../runtime/storage/sql.js'
import { CommandIndex, type CommandRow } from './command-index.js'
import { EntityBook } from './entities.js'
import { parseCommand } from './parse.js'

export const SESSION_TTL_MS = 60 * 60 * 1000

export interface Pipeline {
  readonly index: CommandIndex
  process(event: InboundEvent): Promise<EventResult>
  close(): Promise<void>
}

export async function createPipeline(ctx: ModuleContext): Promise<Pipeline> {
  const index = new CommandIndex(ctx.storage)
  const entities = new EntityBook(ctx.storage)
  await index.reload()
  const unsubscribe = await ctx.cache.subscribe('commands:changed', () => {
    index.reload().catch((err) => ctx.log.error({ err }, 'command reload failed'))
  })

  async function execute(row: CommandRow, request: ExecutionRequest): Promise<{ result?: ExecutionResult; outcome: Outcome; error?: string }> {
    const started = performance.now()
    let outcome: Outcome = 'command'
    let result: ExecutionResult | undefined
    let error: string | undefined
    try {
      result = await ctx.modules.get(row.module).execute(request, { timeoutMs: row.timeout_ms || 5000 })
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
    await ctx.storage.execute(sql`insert into command_executions (execution_id, command_id, command, module, entity_id, user_id,
        user_name, session_id, message_content, args, trigger, status, response, error_message, execution_time_ms, retry_count,
        created_at, completed_at)
      values (${request.execution_id}, ${String(row.id)}, ${request.command}, ${row.module}, ${request.entity.id}, ${request.user.id},
        ${request.user.name}, ${request.session_id}, ${request.raw_message}, ${JSON.stringify(request.args)}, ${request.trigger}, ${status},
        ${result ? JSON.stringify(result.responses) : null}, ${error ?? null}, ${Math.round(ms * 1000) / 1000}, 0, ${Date.now()}, ${Date.now()})`)
    return { ...(result ? { result } : {}), outcome, ...(error ? { error } : {}) }
  }

  async function process(event: InboundEvent): Promise<EventResult> {
    eventsIn.inc({ platform: event.platform, type: event.message_type })
    const entityId = entityIdOf(event)
    const communityId = await entities.ensure(entityId, event)
    const sessionId = randomUUID()
    await ctx.cache.set(`session:${sessionId}`, { entity_id: entityId }, SESSION_TTL_MS)
    const done = (outcome: Outcome, responses: Response[] = [], command?: string): EventResult => {
      eventOutcomes.inc({ outcome })
      const processed = outcome === 'command' || outcome === 'string_match' || outcome === 'event'
      return { session_id: sessionId, entity_id: entityId, processed, outcome, ...(command ? { command } : {}), responses }
    }
    const base = (command: string, args: string[], trigger: 'command' | 'event'): ExecutionRequest => ({
      execution_id: randomUUID(),
      session_id: sessionId,
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
      entity: { id: entityId, platform: event.platform, server_id: event.server_id, channel_id: event.channel_id, community_id: communityId },
      ...(trigger === 'event' ? { event: { type: event.message_type, data: event.metadata ?? {} } } : {}),
    })

    const parsed = event.message_type === 'chatMessage' || event.message_type === 'slashCommand' ? parseCommand(event.message) : undefined
    if (parsed) {
      const command = `${parsed.prefix}${parsed.name}`
      const row = await index.find(parsed.prefix, parsed.name)
      if (!row) return done('unknown_command', [], command)
      const needed = row.permission_level || 'everyone'
      if (userLevel(event.roles ?? []) < permissionRank(needed)) {
        return done('forbidden', [{ type: 'chat', text: `@${event.display_name ?? event.user_name} ${command} is for ${needed}s and above.` }], command)
      }
      const { result, outcome } = await execute(row, base(command, parsed.args, 'command'))
      if (outcome === 'timeout') return done(outcome, [{ type: 'chat', text: `${command} took too long to answer. Try again in a moment.` }], command)
      if (outcome === 'module_error') return done(outcome, [{ type: 'chat', text: `${command} failed. The bot's operator can see why in the logs.` }], command)
      return done('command', result?.responses ?? [], command)
    }

    const handlers = index.handlersFor(event.message_type)
    if (handlers.length === 0) return done('ignored')
    const responses: Response[] = []
    const sequential = handlers.filter((h) => h.execution_mode !== 'parallel')
    const parallel = handlers.filter((h) => h.execution_mode === 'parallel')
    for (const h of sequential) {
      const { result } = await execute(h, base(h.name.slice(h.module.length + 1), [], 'event'))
      responses.push(...(result?.responses ?? []))
    }
    const settled = await Promise.all(parallel.map((h) => execute(h, base(h.name.slice(h.module.length + 1), [], 'event'))))
    for (const s of settled) responses.push(...(s.result?.responses ?? []))
    return done('event', responses)
  }

  return { index, process, close: unsubscribe }
}
