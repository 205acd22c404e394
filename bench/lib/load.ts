/**
 * HTTP load through autocannon (a public tool), run as its own process so the load generator never
 * competes with the server for the same event loop. The same generator drives every HTTP figure.
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js')

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
  const args = [
    AUTOCANNON,
    '--json',
    '-m',
    'POST',
    '-b',
    options.body,
    '-d',
    String(options.seconds),
    '-c',
    String(options.connections ?? 50),
  ]
  for (const [k, v] of Object.entries({ 'content-type': 'application/json', ...options.headers }))
    args.push('-H', `${k}=${v}`)
  if (options.rate) args.push('-R', String(options.rate))
  args.push(options.url)
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 })
  const r = JSON.parse(stdout) as {
    requests: { average: number }
    latency: { p50: number; p99: number }
    errors: number
    non2xx: number
  }
  return { rps: r.requests.average, p50_ms: r.latency.p50, p99_ms: r.latency.p99, errors: r.errors, non2xx: r.non2xx }
}

const PACED = new URL('./paced-load.ts', import.meta.url).pathname

/**
 * Latency at a fixed rate (`options.rate` requests per second, each at its own time) from bench/lib/paced-load.ts
 * in its own process; autocannon's `-R` sends each second's share in a burst at the start of the second.
 */
export async function pacedLoad(options: LoadOptions & { rate: number }): Promise<LoadResult> {
  const args = ['--import', 'tsx', PACED, options.url, String(options.rate), String(options.seconds)]
  args.push(String(options.connections ?? 50), options.body)
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push(`${k}=${v}`)
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1024 * 1024 })
  const r = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as {
    rps: number
    p50_ms: number
    p99_ms: number
    errors: number
    non2xx: number
  }
  return { rps: r.rps, p50_ms: r.p50_ms, p99_ms: r.p99_ms, errors: r.errors, non2xx: r.non2xx }
}
