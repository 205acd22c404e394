/**
 * The fuzz of issue 12 at scale: 1,000,000 cases (10,000 with --quick) over every HTTP body schema of every
 * runnable module and the chat parser, in process (test/faults/fuzz.ts; the suite runs 10,000). The figure
 * is the number of failing cases (a 5xx or a throw): the target is none.
 */
import { pathToFileURL } from 'node:url'
import { fuzz, startFuzzHost } from '../test/faults/fuzz.js'

export interface FuzzBenchResult {
  cases: number
  failures: number
  cases_per_s: number
  routes: number
  seed: number
  first_failure?: string
}

export async function benchFuzz({ quick }: { quick: boolean }): Promise<FuzzBenchResult> {
  const cases = quick ? 10_000 : 1_000_000
  const seed = Math.floor(Math.random() * 1e9)
  const host = await startFuzzHost()
  try {
    const started = performance.now()
    let failures = 0
    let first: string | undefined
    // In slices, so the progress shows and the failure list stays small.
    for (let from = 0; from < cases; from += 50_000) {
      const found = await fuzz(host, seed, from, Math.min(50_000, cases - from))
      failures += found.length
      first ??= found[0] && JSON.stringify(found[0])
      if (cases > 50_000) process.stderr.write(`bench: fuzz ${Math.min(cases, from + 50_000)} / ${cases}\n`)
    }
    const secs = (performance.now() - started) / 1000
    return {
      cases,
      failures,
      cases_per_s: Math.round(cases / secs),
      routes: host.routes.length,
      seed,
      ...(first ? { first_failure: first } : {}),
    }
  } finally {
    await host.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchFuzz({ quick: process.argv.includes('--quick') })))
}
