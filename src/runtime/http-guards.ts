/**
 * What every module server does before a route sees a request: time limits for slow clients, the JSON
 * parser (with its own answer for `__proto__`), no text/plain bodies (415), and framework-level refusals
 * (414, 408, 431, 400) in the documented error shape `{error:{code, message, hint, field?}}`.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { WaddleError } from './errors.js'

/** Request time limits, from the environment (docs/operators.md#slow-clients). */
export interface HttpTimeouts {
  /** Whole request (headers and body) must arrive within this; then 408 and the connection is closed. */
  readonly requestMs: number
  /** Headers must arrive within this. */
  readonly headersMs: number
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { requestMs: 30_000, headersMs: 10_000 }

function envMs(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isSafeInteger(n) || n < 100 || n > 3_600_000) {
    throw new WaddleError('WB_CONFIG_INVALID', {
      key: name,
      reason: 'must be a whole number of milliseconds from 100 to 3600000',
      file: 'the environment',
    })
  }
  return n
}

export function httpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const requestMs = envMs(env, 'WADDLEBOT_HTTP_REQUEST_TIMEOUT_MS', DEFAULT_TIMEOUTS.requestMs)
  const headersMs = Math.min(envMs(env, 'WADDLEBOT_HTTP_HEADERS_TIMEOUT_MS', DEFAULT_TIMEOUTS.headersMs), requestMs)
  return { requestMs, headersMs }
}

/** The fastify options that enforce {@link HttpTimeouts}: Node checks the deadlines every `check` ms. */
export function timeoutOptions(t: HttpTimeouts) {
  const check = Math.max(50, Math.min(1000, Math.floor(t.headersMs / 4)))
  return {
    requestTimeout: t.requestMs,
    http: { headersTimeout: t.headersMs, connectionsCheckingInterval: check },
    // Node's default rejects paths longer than 100 characters per parameter with fastify's own 414 shape.
    routerOptions: { maxParamLength: 200 },
    frameworkErrors: (error: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendCoded(reply, 414, 'WB_URL_TOO_LONG', { limit: 200 })
      return sendCoded(reply, 400, 'WB_INPUT_INVALID', { field: 'url', reason: 'is not a valid URL' })
    },
    clientErrorHandler: clientError,
  }
}

function sendCoded(
  reply: FastifyReply,
  status: number,
  code: 'WB_URL_TOO_LONG' | 'WB_INPUT_INVALID',
  params: Record<string, string | number>,
): void {
  const error = new WaddleError(code, params)
  reply
    .code(status)
    .send({ error: { ...error.toJSON(), ...(code === 'WB_INPUT_INVALID' ? { field: params.field } : {}) } })
}

/** Errors raised before a request exists (timeouts, oversized headers, garbage): answered in our shape, then closed. */
function clientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const [status, body] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, new WaddleError('WB_REQUEST_TIMEOUT').toJSON()]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            {
              code: 'WB_INPUT_INVALID',
              field: 'headers',
              message: 'invalid headers: larger than the server accepts',
              hint: 'send fewer or shorter headers',
            },
          ]
        : [
            400,
            {
              code: 'WB_INPUT_INVALID',
              field: 'request',
              message: 'invalid request: not valid HTTP',
              hint: 'send an HTTP/1.1 request',
            },
          ]
  const text = JSON.stringify({ error: body })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${text}`,
    )
  }
  socket.destroy(err)
}

/** Keys whose presence in a JSON body is refused: they would reach prototypes in naive merges. */
const POISON =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:|"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"\s*:/

/** True when a parsed JSON value holds an own `__proto__` key, or `constructor` with a `prototype` key. */
function poisoned(root: unknown): boolean {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v === null || typeof v !== 'object') continue
    if (Object.hasOwn(v, '__proto__')) return true
    const ctor = (v as Record<string, unknown>).constructor
    if (
      Object.hasOwn(v, 'constructor') &&
      ctor !== null &&
      typeof ctor === 'object' &&
      Object.hasOwn(ctor, 'prototype')
    )
      return true
    for (const child of Object.values(v)) if (child !== null && typeof child === 'object') stack.push(child)
  }
  return false
}

/** Parses a JSON body; WB_INPUT_INVALID (field body) with a message that says what is wrong. */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0)
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'body',
      reason: 'is empty but content-type is application/json',
    })
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new WaddleError('WB_INPUT_INVALID', { field: 'body', reason: 'is not valid JSON' })
  }
  if (POISON.test(text) && poisoned(value)) {
    throw new WaddleError('WB_INPUT_INVALID', {
      field: 'body',
      reason: 'must not contain "__proto__" or "constructor.prototype" keys',
    })
  }
  return value
}

/**
 * Installs the body rules on a module server (before any route): JSON through {@link parseJsonBody}, and no
 * text/plain parser, so such a body is 415. Route plugins that need the raw JSON remove this parser in their
 * own (encapsulated) scope first.
 */
export function installBodyRules(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain'])
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string))
    } catch (error) {
      done(error as Error, undefined)
    }
  })
}
