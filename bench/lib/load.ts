/** HTTP load through autocannon (a public tool), the same generator for every HTTP figure. */
import autocannon from 'autocannon'

export interface LoadResult {
  readonly rps: number
  readonly p50_ms: number
  readonly p99_ms: number
  readonly errors: number
  readonly non2xx: number
}

export interface LoadOptions {
  readonly url: string
  readonly body: string
  readonly headers?: Record<string, string>
  readonly seconds: number
  readonly connections?: number
  /** A fixed total request rate (requests per second) instead of as-fast-as-possible. */
  readonly rate?: number
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    body: options.body,
    headers: { 'content-type': 'application/json', ...options.headers },
    duration: options.seconds,
    connections: options.connections ?? 50,
    pipelining: 1,
    ...(options.rate ? { overallRate: options.rate } : {}),
  })
  return {
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  }
}
