/**
 * One typed client per module: in-process when the module is hosted here, HTTP otherwise.
 * Callers cannot tell which they got.
 */
import { type ExecutionRequest, type ExecutionResult, executionResultSchema } from '../contract/execution.js'
import { describeIssue } from '../contract/validate.js'
import { executeLocally } from './dispatch.js'
import { WaddleError } from './errors.js'
import type { ModuleContext, ModuleDefinition } from './module.js'

export interface ModuleClient {
  readonly module: string
  readonly transport: 'in-process' | 'http'
  /** Where it is reached (`in-process` or the base URL). */
  readonly location: string
  /** Runs one execution. Rejects on timeout, transport failure or a session mismatch. */
  execute(request: ExecutionRequest, options?: { timeoutMs?: number }): Promise<ExecutionResult>
}

export interface ModuleClients {
  /** The client for `module`: in-process if hosted here, else HTTP at its configured URL. */
  get(module: string): ModuleClient
  isLocal(module: string): boolean
}

export class TimeoutError extends Error {
  constructor(readonly module: string, readonly ms: number) {
    super(`module ${module} did not answer within ${ms} ms`)
  }
}

export function inProcessClient<T>(def: ModuleDefinition<T>, ctx: ModuleContext<T>): ModuleClient {
  return {
    module: def.name,
    transport: 'in-process',
    location: 'in-process',
    async execute(request, options) {
      const run = executeLocally(def, ctx, request)
      const result = options?.timeoutMs ? await withTimeout(run, options.timeoutMs, def.name) : await run
      return checkSession(request, result)
    },
  }
}

export function httpClient(module: string, baseUrl: string, serviceKey: string): ModuleClient {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/execute`
  return {
    module,
    transport: 'http',
    location: baseUrl,
    async execute(request, options) {
      const ms = options?.timeoutMs ?? 5000
      let res: globalThis.Response
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-service-key': serviceKey },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(ms),
        })
      } catch (error) {
        if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw new TimeoutError(module, ms)
        throw new Error(`module ${module} unreachable at ${baseUrl}: ${(error as Error).message}`, { cause: error })
      }
      const body: unknown = await res.json().catch(() => undefined)
      if (!res.ok) throw new Error(`module ${module} answered ${res.status}: ${JSON.stringify(body)?.slice(0, 200)}`)
      const parsed = executionResultSchema.safeParse(body)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new Error(`module ${module} sent an invalid reply: ${field} ${message}`)
      }
      return checkSession(request, parsed.data)
    },
  }
}

function checkSession(request: ExecutionRequest, result: ExecutionResult): ExecutionResult {
  if (result.session_id !== request.session_id || result.execution_id !== request.execution_id) {
    throw new WaddleError('WB_EXECUTION_SESSION_MISMATCH', { got: result.session_id, expected: request.session_id })
  }
  return result
}

async function withTimeout<T>(promise: Promise<T>, ms: number, module: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(module, ms)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
