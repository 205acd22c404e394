/**
 * An open-loop HTTP load generator for latency at a fixed rate, run as its own process (like autocannon).
 *
 * autocannon's `-R` is not a fixed rate: each connection sends its share of a second as fast as it can at the
 * start of that second, then waits for the next one, so its p99 is the latency of a burst at full speed. Here
 * request k is due at `start + k / rate`: every millisecond the requests now due leave, over at most
 * `connections` kept-alive connections (more wait for a free one), and each latency is measured from the
 * moment the request was handed to node:http, so a server that falls behind is charged for the wait for a
 * free connection too. The first second (a quarter of one in runs under 2 s) is a warm-up at the same rate, not
 * counted: this process starting (JIT, the connections) takes 10–70 ms per request for its first 0.2–0.6 s, against
 * a bare fastify as much as against the router (with a half-second warm-up it leaked into the count).
 *
 * Usage: node --import tsx bench/lib/paced-load.ts <url> <rate> <seconds> <connections> <body> [header=value …]
 * Prints one JSON line: { sent, ok, non2xx, errors, rps, p50_ms, p99_ms, max_ms }.
 */
import http from 'node:http'
import { pathToFileURL } from 'node:url'

export interface PacedResult {
  readonly sent: number
  readonly ok: number
  readonly non2xx: number
  readonly errors: number
  readonly rps: number
  readonly p50_ms: number
  readonly p99_ms: number
  readonly max_ms: number
}

export async function pacedLoad(options: {
  url: string
  rate: number
  seconds: number
  connections: number
  body: string
  headers: Record<string, string>
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections })
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(options.body)),
    ...options.headers,
  }
  const warmupSeconds = options.seconds < 2 ? 0.25 : 1
  const warmup = Math.round(options.rate * warmupSeconds)
  const total = warmup + Math.round(options.rate * options.seconds)
  const latencies = new Float64Array(total)
  let sent = 0
  let done = 0
  let ok = 0
  let non2xx = 0
  let errors = 0
  const start = performance.now()
  const fire = (k: number) => {
    const due = performance.now()
    const req = http.request(options.url, { method: 'POST', headers, agent }, (res) => {
      res.resume()
      res.on('end', () => {
        latencies[k] = performance.now() - due
        if (k >= warmup) {
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) ok++
          else non2xx++
        }
        done++
      })
    })
    req.on('error', () => {
      latencies[k] = performance.now() - due
      if (k >= warmup) errors++
      done++
    })
    req.end(options.body)
  }
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1000) + 1)
      while (sent < due) fire(sent++)
      if (sent < total) setTimeout(tick, 1)
      else resolve()
    }
    tick()
  })
  while (done < total) await new Promise((r) => setTimeout(r, 5))
  const elapsed = (performance.now() - start) / 1000 - warmupSeconds
  agent.destroy()
  const sorted = Array.from(latencies.subarray(warmup)).sort((a, b) => a - b)
  const at = (p: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 1000) / 1000
  return {
    sent: total - warmup,
    ok,
    non2xx,
    errors,
    rps: Math.round((total - warmup) / elapsed),
    p50_ms: at(50),
    p99_ms: at(99),
    max_ms: Math.round(sorted[sorted.length - 1]! * 1000) / 1000,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, rate, seconds, connections, body, ...rest] = process.argv.slice(2)
  const headers = Object.fromEntries(rest.map((h) => [h.slice(0, h.indexOf('=')), h.slice(h.indexOf('=') + 1)]))
  const result = await pacedLoad({
    url: url!,
    rate: Number(rate),
    seconds: Number(seconds),
    connections: Number(connections),
    body: body!,
    headers,
  })
  console.log(JSON.stringify(result))
}
