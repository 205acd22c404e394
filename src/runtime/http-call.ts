/**
 * One HTTP request between waddlebot's own processes (collector → router, router → module), on node:http
 * with a keep-alive agent per process. Global fetch costs ≈ 300 µs of CPU per small JSON request on
 * Node 20 (WHATWG streams, a copy of the request body, an AbortSignal), node:http ≈ 40 µs
 * (docs/performance.md); the objects fetch keeps per request in flight also made young-generation GC
 * pauses longer.
 */
import http from 'node:http'
import https from 'node:https'

export interface HttpCall {
  readonly method: string
  readonly headers: Record<string, string>
  /** Sent as is (UTF-8); its length is computed here. */
  readonly body?: string | undefined
  /** The whole request, from sending to the last byte of the answer; then it fails with {@link HttpTimeoutError}. */
  readonly timeoutMs: number
}

export interface HttpReply {
  readonly status: number
  readonly text: string
}

/** No complete answer within the deadline. Its `name` is `TimeoutError`, as `AbortSignal.timeout`'s. */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError'
  constructor(url: string, ms: number) {
    super(`no answer from ${new URL(url).origin} within ${ms} ms`)
  }
}

/** Idle sockets are kept for the next request (and never keep the process alive). */
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
}

/**
 * Sends one request and reads the whole answer as text, whatever its status. Rejects with the socket's
 * error (connection refused, reset) or {@link HttpTimeoutError}.
 */
export function callHttp(url: string, call: HttpCall): Promise<HttpReply> {
  return new Promise<HttpReply>((resolve, reject) => {
    const secure = url.startsWith('https:')
    const headers =
      call.body === undefined
        ? call.headers
        : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) }
    const req = (secure ? https : http).request(
      url,
      { method: call.method, headers, agent: agents[secure ? 'https:' : 'http:'] },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => {
          clearTimeout(timer)
          resolve({ status: res.statusCode ?? 0, text })
        })
        res.on('error', fail)
        res.on('close', () => {
          if (!res.complete) fail(new Error(`the connection to ${new URL(url).origin} closed before the answer ended`))
        })
      },
    )
    const timer = setTimeout(() => req.destroy(new HttpTimeoutError(url, call.timeoutMs)), call.timeoutMs)
    function fail(error: Error): void {
      clearTimeout(timer)
      reject(error)
    }
    req.on('error', fail)
    req.end(call.body)
  })
}
