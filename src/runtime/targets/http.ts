/**
 * The HTTP leg shared by the container, webhook and OpenWhisk targets: POST one JSON body, classify what
 * went wrong (retry-safe or not), read the reply as JSON.
 */
import { TargetFailure } from './types.js'

/** Error codes that mean the request never reached the target, so a retry cannot run the command twice. */
export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'])
/** Statuses a gateway answers before the target processed anything. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

/** The `code` of an error or of its causes (`fetch failed` wraps the socket error). */
export function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
  }
  return undefined
}

/**
 * POSTs `body` and resolves the response. A network failure becomes a TargetFailure (retryable for connection
 * refused / DNS); an abort is rethrown as is (the policy turns it into a TimeoutError). Redirects are not
 * followed: a 3xx is a failure naming the status.
 */
export async function post(
  target: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<globalThis.Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
      redirect: 'manual',
    })
  } catch (error) {
    if (signal.aborted) throw error
    const code = errorCode(error)
    const detail = code ?? (error instanceof Error ? error.message : String(error))
    throw new TargetFailure(target, `unreachable: ${detail}`, code !== undefined && RETRYABLE_NETWORK_CODES.has(code), {
      cause: error,
    })
  }
}

/**
 * Reads a reply: 502/503/504 are retryable failures (the body is discarded unread), any other non-2xx a
 * final failure quoting the start of the body, a 2xx must be JSON.
 */
export async function readJson(target: string, res: globalThis.Response): Promise<unknown> {
  if (RETRYABLE_STATUSES.has(res.status)) {
    await res.body?.cancel().catch(() => undefined)
    throw new TargetFailure(target, `answered ${res.status}`, true)
  }
  const text = await res.text()
  if (res.status >= 300 && res.status < 400) {
    throw new TargetFailure(target, `answered ${res.status} (redirects are not followed; use the final URL)`, false)
  }
  if (!res.ok) throw new TargetFailure(target, `answered ${res.status}: ${text.slice(0, 200)}`, false)
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new TargetFailure(target, `answered ${res.status} with a body that is not JSON: ${text.slice(0, 100)}`, false)
  }
}
