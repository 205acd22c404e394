/**
 * What every execution target shares: the one execution shape (CONTRACT §4.2) in, a validated result out.
 */
import type { ExecutionRequest, ExecutionResult } from '../../contract/execution.js'
import { WaddleError } from '../errors.js'

/** The `commands.target_type` values. */
export const TARGET_TYPES = ['module', 'container', 'webhook', 'lambda', 'openwhisk'] as const
export type TargetType = (typeof TARGET_TYPES)[number]

export interface ExecuteOptions {
  /** Deadline for the whole call, retries included (default: the target's timeout, 5000 ms). */
  timeoutMs?: number
}

/**
 * Anything the router can run a command on. A `ModuleClient` (in-process or HTTP module) is one, so the
 * router calls every target the same way.
 */
export interface ExecutionTarget {
  readonly module: string
  readonly transport: 'in-process' | 'http' | Exclude<TargetType, 'module'>
  /** Where it is reached, safe to log (no credentials, no query string). */
  readonly location: string
  /** Runs one execution. Rejects on timeout, transport failure, an open circuit or a session mismatch. */
  execute(request: ExecutionRequest, options?: ExecuteOptions): Promise<ExecutionResult>
  /** Frees sockets and clients the target holds. */
  close?(): Promise<void> | void
}

/**
 * One attempt at a target: sends the request and resolves the reply body (not yet validated). `signal`
 * aborts at the call's deadline. Throw a `TargetFailure` to say whether a retry is safe.
 */
export type Attempt = (request: ExecutionRequest, signal: AbortSignal) => Promise<unknown>

/**
 * WB_TARGET_FAILED with a verdict: `retryable` is true only when the target cannot have run the command
 * (connection refused, DNS failure, 502/503/504 before any result was read).
 */
export class TargetFailure extends WaddleError {
  readonly retryable: boolean

  constructor(target: string, reason: string, retryable: boolean, options?: { cause?: unknown }) {
    super('WB_TARGET_FAILED', { target, reason }, options)
    this.retryable = retryable
  }
}

/** The failure result of an execution: used when a target reports that the command itself failed. */
export function failedResult(request: ExecutionRequest, error: string): ExecutionResult {
  return { execution_id: request.execution_id, session_id: request.session_id, success: false, responses: [], error }
}

/** `scheme://host[:port]/path` of a URL: no user info, no query, no fragment (safe for logs and labels). */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`
}
