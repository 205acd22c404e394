/**
 * `waddlebot start` with every available module: time from spawn to all modules healthy, and RSS once
 * healthy. Baseline: a bare fastify server answering /health, spawned and polled the same way.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { freeOffset } from '../test/helpers/cli.js'
import { benchProject, round } from './lib/project.js'

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const REPO = fileURLToPath(new URL('..', import.meta.url))

export interface StartBenchResult {
  start_ms: number
  start_rss_mb: number
  baseline_start_ms: number
  baseline_rss_mb: number
  modules: number
}

export async function healthyAll(urls: readonly string[], child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs
  const pending = new Set(urls)
  while (pending.size > 0) {
    if (child.exitCode !== null) throw new Error(`process exited ${child.exitCode}`)
    if (Date.now() > until) throw new Error(`not healthy: ${[...pending].join(', ')}`)
    for (const url of [...pending]) {
      const ok = await fetch(`${url}/health`, { signal: AbortSignal.timeout(300) }).then(
        (r) => r.ok,
        () => false,
      )
      if (ok) pending.delete(url)
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 10))
  }
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return m ? Number(m[1]) / 1024 : Number.NaN
}

export async function measure(
  cmd: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  urls: string[],
): Promise<{ ms: number; rss: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, cmd, { cwd, env: { ...process.env, ...env }, stdio: 'ignore' })
  try {
    await healthyAll(urls, child, 30_000)
    const ms = performance.now() - started
    return { ms, rss: rssMb(child.pid!) }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))
  }
}

export const BARE = `import Fastify from 'fastify'; const app = Fastify(); app.get('/health', async () => ({status:'ok'}));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })`

export async function benchStart({ quick }: { quick: boolean }): Promise<StartBenchResult> {
  const project = benchProject()
  const runs = quick ? 2 : 4
  try {
    const { projectRegistry } = await import('../src/cli/registry.js')
    const modules = projectRegistry(project.settings)
      .runnable()
      .filter((e) => e.port > 0)
    let best = { ms: Number.POSITIVE_INFINITY, rss: 0 }
    let base = { ms: Number.POSITIVE_INFINITY, rss: 0 }
    for (let i = 0; i < runs; i++) {
      const offset = await freeOffset(modules.map((m) => m.port))
      const urls = modules.map((m) => `http://127.0.0.1:${m.port + offset}`)
      const r = await measure(
        [BIN, 'start'],
        project.dir,
        { WADDLEBOT_PORT_OFFSET: String(offset), DATABASE_URL: '', REDIS_URL: '' },
        urls,
      )
      if (r.ms < best.ms) best = r
      const port = 8000 + (await freeOffset([8000]))
      const b = await measure(['--input-type=module', '-e', BARE], REPO, { PORT: String(port) }, [
        `http://127.0.0.1:${port}`,
      ])
      if (b.ms < base.ms) base = b
    }
    return {
      start_ms: round(best.ms, 0),
      start_rss_mb: round(best.rss, 1),
      baseline_start_ms: round(base.ms, 0),
      baseline_rss_mb: round(base.rss, 1),
      modules: modules.length,
    }
  } finally {
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchStart({ quick: process.argv.includes('--quick') })))
}
