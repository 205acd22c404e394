/**
 * Runs one execution request against a module definition. Used by the in-process transport and by the
 * module's own `POST /api/v1/execute`, so both transports run exactly the same code.
 * A throwing handler becomes `{success:false}`; it never escapes.
 */
import type { ExecutionRequest, ExecutionResult, ObservedEvent } from '../contract/execution.js'
import { type ExecutionResponse, executionResponseSchema } from '../contract/responses.js'
import { describeIssue } from '../contract/validate.js'
import type {
  CommandContext,
  CommandDefinition,
  EventHandlerDefinition,
  ModuleContext,
  ModuleDefinition,
  Reply,
} from './module.js'

/** Commands already looked up, per module definition (definitions do not change; a reload makes a new one). */
const found = new WeakMap<object, Map<string, CommandDefinition<never, never> | null>>()

/** Finds a command of `def` by `!name`, `#name`, or bare name, aliases included. */
export function findCommand<T, S>(def: ModuleDefinition<T, S>, command: string): CommandDefinition<T, S> | undefined {
  let known = found.get(def)
  if (!known) {
    known = new Map()
    found.set(def, known)
  }
  const hit = known.get(command)
  if (hit !== undefined) return (hit ?? undefined) as CommandDefinition<T, S> | undefined
  const result = searchCommand(def, command)
  // Bounded: command words come from chat (the catch-all answers any of them).
  if (known.size < 1000) known.set(command, (result ?? null) as CommandDefinition<never, never> | null)
  return result
}

function searchCommand<T, S>(def: ModuleDefinition<T, S>, command: string): CommandDefinition<T, S> | undefined {
  const prefix = command[0] === '!' || command[0] === '#' ? command[0] : undefined
  const word = (prefix ? command.slice(1) : command).toLowerCase()
  const samePrefix = (c: CommandDefinition<T, S>) => prefix === undefined || (c.prefix ?? '!') === prefix
  return (
    def.commands?.find((c) => samePrefix(c) && (c.name === word || c.aliases?.includes(word))) ??
    // The catch-all `*` (a built-in module's, e.g. alias) answers the words no command claims.
    def.commands?.find((c) => c.name === '*' && samePrefix(c))
  )
}

export function findEventHandler<T, S>(
  def: ModuleDefinition<T, S>,
  name: string,
): EventHandlerDefinition<T, S> | undefined {
  return def.events?.find((h) => h.name === name)
}

/** Hands `events` to the observer `name` of `def`; rejects when there is none or it threw. */
export async function observeLocally<T, S>(
  def: ModuleDefinition<T, S>,
  ctx: ModuleContext<T, S>,
  name: string,
  events: readonly ObservedEvent[],
): Promise<void> {
  const observer = def.observers?.find((o) => o.name === name)
  if (!observer) throw new Error(`module ${def.name} has no observer ${name}`)
  await observer.observe(ctx, events)
}

export async function executeLocally<T, S>(
  def: ModuleDefinition<T, S>,
  ctx: ModuleContext<T, S>,
  request: ExecutionRequest,
): Promise<ExecutionResult> {
  const { execution_id, session_id } = request
  const handler =
    request.trigger === 'command' ? findCommand(def, request.command) : findEventHandler(def, request.command)
  if (!handler) {
    return {
      execution_id,
      session_id,
      success: false,
      responses: [],
      error: `module ${def.name} has no ${request.trigger} ${request.command}`,
    }
  }
  try {
    const reply = await handler.run(commandContext(ctx, request))
    return { execution_id, session_id, success: true, responses: normalizeReply(reply) }
  } catch (error) {
    ctx.log.error({ err: error, command: request.command }, 'handler failed') // ctx.log already carries module
    return {
      execution_id,
      session_id,
      success: false,
      responses: [],
      error: error instanceof Error ? error.message : String(error),
    }
  }
}

/**
 * The handler's context, field by field: on Node 20, V8 copies `{ ...ctx, request }` (a spread followed by
 * more properties) on a slow path costing ≈ 1 µs, a tenth of the router's whole in-process budget.
 */
function commandContext<T, S>(ctx: ModuleContext<T, S>, request: ExecutionRequest): CommandContext<T, S> {
  return {
    module: ctx.module,
    config: ctx.config,
    storage: ctx.storage,
    cache: ctx.cache,
    log: ctx.log,
    settings: ctx.settings,
    modules: ctx.modules,
    state: ctx.state,
    request,
    args: request.args,
  }
}

/** Turns a handler's reply into validated responses; an invalid response throws naming its field. */
export function normalizeReply(reply: Reply): ExecutionResponse[] {
  if (reply === undefined || reply === null || reply === '') return []
  if (typeof reply === 'string') return [{ type: 'chat', text: reply }]
  const list = (Array.isArray(reply) ? reply : [reply]) as unknown[]
  return list.map((r, i) => {
    if (typeof r === 'string') return { type: 'chat', text: r }
    const parsed = executionResponseSchema.safeParse(r)
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error)
      throw new Error(`response ${i} is invalid: ${field} ${message}`)
    }
    return parsed.data
  })
}
