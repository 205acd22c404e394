/** A small JSON-over-HTTP helper for the collectors' calls to the router. */
import { WaddleError } from '../../runtime/errors.js'

export interface JsonReply {
  readonly status: number
  readonly body: unknown
}

/**
 * Sends `body` as JSON (or `rawBody`, already JSON) with `x-api-key`; resolves with the status and the parsed body (any status).
 * Throws WB_ROUTER_UNREACHABLE when no answer came (connection refused, timeout).
 */
export async function requestJson(
  doFetch: typeof fetch,
  url: string,
  init: { method: 'GET' | 'POST'; key: string; body?: unknown; rawBody?: string; timeoutMs: number },
): Promise<JsonReply> {
  let res: globalThis.Response
  const payload = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body))
  try {
    res = await doFetch(url, {
      method: init.method,
      headers: { 'x-api-key': init.key, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { body: payload }),
      signal: AbortSignal.timeout(init.timeoutMs),
    })
  } catch (error) {
    throw new WaddleError('WB_ROUTER_UNREACHABLE', { url: new URL(url).origin }, { cause: error })
  }
  const text = await res.text()
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = text
  }
  return { status: res.status, body }
}

/** The router's error message of a failed reply (`{error:{message}}`), else a short text. */
export function replyError(reply: JsonReply): string {
  const message = (reply.body as { error?: { message?: unknown } } | undefined)?.error?.message
  return typeof message === 'string' ? message : String(reply.body ?? '').slice(0, 200)
}
