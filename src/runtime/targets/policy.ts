/**
 * The policy every remote target runs under: one deadline per call (default 5 s, retries included),
 * retries with exponential backoff only where the command cannot have run, a circuit breaker, and the
 * checks on the reply (executionResultSchema, matching session_id / execution_id).
 */
import { setTimeout as sleepMs } from 'node:timers/promises'
import { type ExecutionRequest, type ExecutionResult, executionResultSchema } from '../../contract/execution.js'
import { describeIssue } from '../../contract/validate.js'
import { WaddleError } from '../errors.js'
import { TimeoutError } from '../module-clients.js'
import { type BreakerOptions, CircuitBreaker } from './breaker.js'
import { type Attempt, type ExecuteOptions, type ExecutionTarget, TargetFailure } from './types.js'

export { type BreakerState, CircuitBreaker } from './breaker.js'

/** The most retries a call may make after its first attempt. */
export const MAX_RETRIES = 2

export interface PolicyOptions extends BreakerOptions {
  /** Deadline of one call, retries and backoff included (default 5000 ms). */
  timeoutMs?: number
  /** Retries after the first attempt, 0–2 (default 2). */
  retries?: number
  /** First backoff; each retry doubles it (default 100 ms → 100, 200). */
  backoffMs?: number
  /** Waits between attempts (tests may replace it). */
  sleep?: (ms: number) => Promise<void>
  /** Called before each retry, e.g. to log it or count `command_executions.retry_count`. */
  onRetry?: (info: { target: string; executionId: string; retry: number; delayMs: number; error: Error }) => void
}

export interface PolicyTargetSpec {
  readonly transport: ExecutionTarget['transport']
  readonly module: string
  /** Label for errors, logs and the breaker gauge, e.g. `webhook:https://host/path`. */
  readonly location: string
  /**
   * One-time setup awaited before the deadline starts (e.g. loading an SDK), so a cold start does not eat
   * the first call's timeout. A rejection fails the call (and counts for the breaker).
   */
  readonly prepare?: () => Promise<unknown>
  readonly close?: () => Promise<void> | void
}

/** An ExecutionTarget that also exposes its breaker. */
export interface PolicyTarget extends ExecutionTarget {
  readonly breaker: CircuitBreaker
  /** Removes the breaker's gauge series and frees the transport's clients. */
  close(): Promise<void>
}

/** Wraps one attempt function into a target with timeout, safe retries, a breaker and reply checks. */
export function withPolicy(spec: PolicyTargetSpec, attempt: Attempt, options: PolicyOptions = {}): PolicyTarget {
  const breaker = new CircuitBreaker(spec.location, options)
  const retries = Math.min(MAX_RETRIES, Math.max(0, options.retries ?? MAX_RETRIES))
  const backoffMs = Math.max(0, options.backoffMs ?? 100)
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms))
  const defaultTimeout = options.timeoutMs ?? 5000

  async function run(request: ExecutionRequest, signal: AbortSignal, deadline: number): Promise<ExecutionResult> {
    for (let retry = 0; ; retry++) {
      try {
        return checkReply(spec.location, request, await attempt(request, signal))
      } catch (error) {
        if (signal.aborted) throw error
        const delayMs = backoffMs * 2 ** retry
        if (
          !(error instanceof TargetFailure) ||
          !error.retryable ||
          retry >= retries ||
          Date.now() + delayMs >= deadline
        )
          throw error
        options.onRetry?.({
          target: spec.location,
          executionId: request.execution_id,
          retry: retry + 1,
          delayMs,
          error,
        })
        await sleep(delayMs)
        if (signal.aborted) throw error
      }
    }
  }

  return {
    transport: spec.transport,
    module: spec.module,
    location: spec.location,
    breaker,
    async execute(request: ExecutionRequest, callOptions?: ExecuteOptions): Promise<ExecutionResult> {
      const ticket = breaker.acquire()
      if (spec.prepare) {
        try {
          await spec.prepare()
        } catch (error) {
          ticket.failure()
          throw new TargetFailure(spec.location, `could not start: ${(error as Error).message}`, false, {
            cause: error,
          })
        }
      }
      const ms = callOptions?.timeoutMs ?? defaultTimeout
      const controller = new AbortController()
      let timer: NodeJS.Timeout | undefined
      // The deadline holds even if an attempt ignores its signal: the race rejects at `ms` regardless.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new TimeoutError(spec.location, ms)
          controller.abort(error)
          reject(error)
        }, ms)
      })
      try {
        const result = await Promise.race([run(request, controller.signal, Date.now() + ms), timeout])
        ticket.success()
        return result
      } catch (error) {
        ticket.failure()
        throw controller.signal.aborted ? new TimeoutError(spec.location, ms) : error
      } finally {
        clearTimeout(timer)
      }
    },
    async close() {
      breaker.dispose()
      await spec.close?.()
    },
  }
}

/** Validates a reply body as an ExecutionResult for `request`; throws WB_TARGET_FAILED / WB_EXECUTION_SESSION_MISMATCH. */
export function checkReply(target: string, request: ExecutionRequest, body: unknown): ExecutionResult {
  const parsed = executionResultSchema.safeParse(body)
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error)
    throw new TargetFailure(target, `invalid reply: ${field} ${message}`, false)
  }
  const result = parsed.data
  if (result.session_id !== request.session_id || result.execution_id !== request.execution_id) {
    throw new WaddleError('WB_EXECUTION_SESSION_MISMATCH', { got: result.session_id, expected: request.session_id })
  }
  return result
}
