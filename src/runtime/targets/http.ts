/**
 * The HTTP leg shared by the container, webhook and OpenWhisk targets: POST one JSON body, classify what
 * went wrong (retry-safe or not), read the reply as JSON.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { Readable } from 'node:stream'
import { type AddressGuard, AddressRefused } from './address-guard.js'
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
 * followed: a 3xx is a failure naming the status. With a `guard` (targets from the commands table), the
 * addresses connected to are checked (address-guard.ts): a refused one is a final failure saying why.
 */
export async function post(
  target: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  guard?: AddressGuard,
): Promise<globalThis.Response> {
  try {
    if (!guard)
      return await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal,
        redirect: 'manual',
      })
    return await guardedPost(new URL(url), body, headers, signal, guard)
  } catch (error) {
    if (signal.aborted) throw error
    if (error instanceof AddressRefused) throw new TargetFailure(target, `refused: ${error.message}`, false)
    const code = errorCode(error)
    const detail = code ?? (error instanceof Error ? error.message : String(error))
    throw new TargetFailure(target, `unreachable: ${detail}`, code !== undefined && RETRYABLE_NETWORK_CODES.has(code), {
      cause: error,
    })
  }
}

/** The same POST over node:http(s), whose connection looks its host up through the guard. */
function guardedPost(
  url: URL,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  guard: AddressGuard,
): Promise<globalThis.Response> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host)) {
    const why = guard.refusal(host, host)
    if (why) return Promise.reject(new AddressRefused(why))
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        signal,
        lookup: guard.lookup,
      },
      (res) => resolve(toResponse(res)),
    )
    req.on('error', reject)
    req.end(body)
  })
}

function toResponse(res: IncomingMessage): globalThis.Response {
  const status = res.statusCode ?? 500
  const headers = new Headers()
  for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v)
  const empty = status === 204 || status === 304 || (status >= 100 && status < 200)
  if (empty) res.resume()
  return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers })
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
