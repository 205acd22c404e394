/** A small JSON-over-HTTP helper for the collectors' calls to the router. */
import { WaddleError } from '../../runtime/errors.js'
import { callHttp, type HttpReply } from '../../runtime/http-call.js'

export interface JsonReply {
  readonly status: number
  readonly body: unknown
}

/**
 * Sends `body` as JSON (or `rawBody`, already JSON) with `x-api-key`; resolves with the status and the parsed body (any status).
 * Throws WB_ROUTER_UNREACHABLE when no answer came (connection refused, timeout). Without `doFetch` it goes
 * over node:http (src/runtime/http-call.ts).
 */
export async function requestJson(
  doFetch: typeof fetch | undefined,
  url: string,
  init: { method: 'GET' | 'POST'; key: string; body?: unknown; rawBody?: string; timeoutMs: number },
): Promise<JsonReply> {
  const payload = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body))
  const headers: Record<string, string> = { 'x-api-key': init.key }
  if (payload !== undefined) headers['content-type'] = 'application/json'
  let reply: HttpReply
  try {
    reply = doFetch
      ? await viaFetch(doFetch, url, init.method, headers, payload, init.timeoutMs)
      : await callHttp(url, { method: init.method, headers, body: payload, timeoutMs: init.timeoutMs })
  } catch (error) {
    throw new WaddleError('WB_ROUTER_UNREACHABLE', { url: new URL(url).origin }, { cause: error })
  }
  let body: unknown
  try {
    body = reply.text === '' ? undefined : JSON.parse(reply.text)
  } catch {
    body = reply.text
  }
  return { status: reply.status, body }
}

/** The same request through a `fetch` the caller gave (tests use it to make the router flaky). */
async function viaFetch(
  doFetch: typeof fetch,
  url: string,
  method: string,
  headers: Record<string, string>,
  payload: string | undefined,
  timeoutMs: number,
): Promise<HttpReply> {
  const res = await doFetch(url, {
    method,
    headers,
    ...(payload === undefined ? {} : { body: payload }),
    signal: AbortSignal.timeout(timeoutMs),
  })
  return { status: res.status, text: await res.text() }
}

/** The router's error message of a failed reply (`{error:{message}}`), else a short text. */
export function replyError(reply: JsonReply): string {
  const message = (reply.body as { error?: { message?: unknown } } | undefined)?.error?.message
  return typeof message === 'string' ? message : String(reply.body ?? '').slice(0, 200)
}
