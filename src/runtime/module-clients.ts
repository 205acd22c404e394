/**
 * One typed client per module: in-process when the module is hosted here, HTTP otherwise.
 * Callers cannot tell which they got.
 */
import {
  type ExecutionRequest,
  type ExecutionResult,
  executionResultSchema,
  type ObservedEvent,
} from '../contract/execution.js'
import { describeIssue } from '../contract/validate.js'
import { executeLocally, observeLocally } from './dispatch.js'
import { WaddleError } from './errors.js'
import { callHttp, type HttpReply, HttpTimeoutError } from './http-call.js'
import type { ModuleContext, ModuleDefinition } from './module.js'
import type { Registry } from './registry.js'

export interface ModuleClient {
  readonly module: string
  readonly transport: 'in-process' | 'http'
  /** Where it is reached (`in-process` or the base URL). */
  readonly location: string
  /** Runs one execution. Rejects on timeout, transport failure or a session mismatch. */
  execute(request: ExecutionRequest, options?: { timeoutMs?: number }): Promise<ExecutionResult>
  /** Hands one observer a batch of events (`POST /api/v1/observe` over HTTP). Rejects when it failed. */
  observe?(observer: string, events: readonly ObservedEvent[], options?: { timeoutMs?: number }): Promise<void>
}

/** `ctx.modules`: how a module finds any other module, hosted in this process or elsewhere. */
export interface ModuleClients {
  /** The execution client for `module`: in-process if hosted here, else HTTP at its URL. */
  get(module: string): ModuleClient
  isLocal(module: string): boolean
  /** The base URL `module` is reached at (its configured `url`, else bind address + port, offset applied). */
  url(module: string): string
  /** The port `module` listens on (offset applied), 0 for a module without a port, undefined when unknown. */
  port(module: string): number | undefined
  /** Names of the modules this bot runs (enabled and available), hosted here or not. */
  runnable(): readonly string[]
  /**
   * An HTTP request to one of `module`'s own routes (`path` from its root), authenticated with the service
   * key. Rejects with WB_MODULE_UNREACHABLE (transport failure) or WB_MODULE_TIMEOUT; any HTTP answer resolves.
   */
  request(module: string, path: string, init?: ModuleRequestInit): Promise<globalThis.Response>
}

export interface ModuleRequestInit {
  readonly method?: string
  /** Sent as JSON. */
  readonly body?: unknown
  /** Default 2000 ms. */
  readonly timeoutMs?: number
}

/** A module that did not answer in time (WB_MODULE_TIMEOUT). */
export class TimeoutError extends WaddleError {
  readonly module: string
  readonly ms: number
  constructor(module: string, ms: number) {
    super('WB_MODULE_TIMEOUT', { module, ms })
    this.module = module
    this.ms = ms
  }
}

// biome-ignore lint/suspicious/noExplicitAny: hosts definitions of every config and state type
export function inProcessClient(def: ModuleDefinition<any, any>, ctx: () => ModuleContext<any, any>): ModuleClient {
  return {
    module: def.name,
    transport: 'in-process',
    location: 'in-process',
    async execute(request, options) {
      const run = executeLocally(def, ctx(), request)
      const result = options?.timeoutMs ? await withTimeout(run, options.timeoutMs, def.name) : await run
      return checkSession(request, result)
    },
    async observe(observer, events, options) {
      const run = observeLocally(def, ctx(), observer, events)
      await (options?.timeoutMs ? withTimeout(run, options.timeoutMs, def.name) : run)
    },
  }
}

export function httpClient(module: string, baseUrl: string, serviceKey: string): ModuleClient {
  const base = baseUrl.replace(/\/$/, '')
  /** A POST to one of the module's routes over node:http (http-call.ts): any HTTP answer resolves. */
  const post = async (path: string, body: unknown, ms: number): Promise<HttpReply> => {
    try {
      return await callHttp(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-key': serviceKey },
        body: JSON.stringify(body),
        timeoutMs: ms,
      })
    } catch (error) {
      if (error instanceof HttpTimeoutError) throw new TimeoutError(module, ms)
      throw new WaddleError(
        'WB_MODULE_UNREACHABLE',
        { module, url: baseUrl, reason: (error as Error).message },
        { cause: error },
      )
    }
  }
  return {
    module,
    transport: 'http',
    location: baseUrl,
    async execute(request, options) {
      const res = await post('/api/v1/execute', request, options?.timeoutMs ?? 5000)
      let body: unknown
      try {
        body = JSON.parse(res.text)
      } catch {
        body = undefined
      }
      if (res.status < 200 || res.status >= 300)
        throw new WaddleError('WB_MODULE_BAD_REPLY', {
          module,
          reason: `HTTP ${res.status} ${JSON.stringify(body)?.slice(0, 200)}`,
        })
      const parsed = executionResultSchema.safeParse(body)
      if (!parsed.success) {
        const { field, message } = describeIssue(parsed.error)
        throw new WaddleError('WB_MODULE_BAD_REPLY', { module, reason: `${field} ${message}` })
      }
      return checkSession(request, parsed.data)
    },
    async observe(observer, events, options) {
      const res = await post('/api/v1/observe', { observer, events }, options?.timeoutMs ?? 5000)
      if (res.status < 200 || res.status >= 300)
        throw new WaddleError('WB_MODULE_BAD_REPLY', { module, reason: `HTTP ${res.status} ${res.text.slice(0, 200)}` })
    },
  }
}

function checkSession(request: ExecutionRequest, result: ExecutionResult): ExecutionResult {
  if (result.session_id !== request.session_id || result.execution_id !== request.execution_id) {
    throw new WaddleError('WB_EXECUTION_SESSION_MISMATCH', { got: result.session_id, expected: request.session_id })
  }
  return result
}

/** Settles as `promise`, or rejects with a TimeoutError after `ms` (one promise and one timer; no race). */
function withTimeout<T>(promise: Promise<T>, ms: number, module: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(module, ms)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}

/** `ModuleClients.request` over HTTP: base URL + path, the service key, a deadline, coded failures. */
export async function requestModule(
  module: string,
  baseUrl: string,
  serviceKey: string,
  path: string,
  init: ModuleRequestInit = {},
): Promise<globalThis.Response> {
  const ms = init.timeoutMs ?? 2000
  const headers: Record<string, string> = { 'x-service-key': serviceKey }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  try {
    return await fetch(`${baseUrl.replace(/\/$/, '')}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(ms),
    })
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
      throw new TimeoutError(module, ms)
    throw new WaddleError(
      'WB_MODULE_UNREACHABLE',
      { module, url: baseUrl, reason: (error as Error).message },
      { cause: error },
    )
  }
}

/**
 * `ctx.modules` over a registry: the modules in `local` are called in process, every other one over HTTP at
 * its registry URL with the service key.
 */
export function createModuleClients(
  registry: Registry,
  serviceKey: string,
  local: ReadonlyMap<string, ModuleClient> = new Map(),
): ModuleClients {
  return {
    get: (name) => local.get(name) ?? httpClient(name, registry.urlOf(name), serviceKey),
    isLocal: (name) => local.has(name),
    url: (name) => registry.urlOf(name),
    port: (name) => {
      const entry = registry.get(name)
      return entry === undefined ? undefined : entry.port === 0 ? 0 : registry.portOf(name)
    },
    runnable: () => registry.runnable().map((e) => e.name),
    request: (name, path, init) => requestModule(name, registry.urlOf(name), serviceKey, path, init),
  }
}
