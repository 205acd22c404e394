/**
 * `waddlebot up` with every available module: once every child is healthy, the RSS of each child process
 * (one module each). `up_child_rss_mb` is the median; the largest and the module it runs go in the label.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { freeOffset } from '../test/helpers/cli.js'
import { BARE, healthyAll, measure, rssMb } from './start.bench.js'
import { benchProject, percentile, round } from './lib/project.js'

const BIN = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const REPO = fileURLToPath(new URL('..', import.meta.url))

export interface UpBenchResult {
  median_mb: number
  max_mb: number
  max_module: string
  children: number
  /** A bare fastify process, spawned and polled the same way. */
  bare_mb: number
}

/** Child processes of `pid` with their command lines. */
function childrenOf(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid)
        out.push({ pid: Number(name), cmd: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ') })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

export async function benchUp(_o: { quick: boolean }): Promise<UpBenchResult> {
  const project = benchProject()
  try {
    const { projectRegistry } = await import('../src/cli/registry.js')
    const modules = projectRegistry(project.settings)
      .runnable()
      .filter((e) => e.port > 0)
    const offset = await freeOffset(modules.map((m) => m.port))
    const urls = modules.map((m) => `http://127.0.0.1:${m.port + offset}`)
    const child = spawn(process.execPath, [BIN, 'up'], {
      cwd: project.dir,
      env: { ...process.env, WADDLEBOT_PORT_OFFSET: String(offset), DATABASE_URL: '', REDIS_URL: '' },
      stdio: 'ignore',
    })
    try {
      await healthyAll(urls, child, 90_000)
      await new Promise((r) => setTimeout(r, 1000))
      // A module child runs `bin/run.js run <module>` or the lean `lib/cli/child.js <module>`; anything else
      // under the supervisor (tsx's esbuild service) is not a module child.
      const kids = childrenOf(child.pid!).flatMap((k) => {
        const module = /(?:\/bin\/run\.js run|\/lib\/cli\/child\.js) (\S+)/.exec(k.cmd)?.[1]
        return module ? [{ rss: rssMb(k.pid), module }] : []
      })
      if (kids.length === 0) throw new Error('no child process found')
      const biggest = kids.reduce((a, b) => (b.rss > a.rss ? b : a))
      const port = 8000 + (await freeOffset([8000]))
      const bare = await measure(['--input-type=module', '-e', BARE], REPO, { PORT: String(port) }, [
        `http://127.0.0.1:${port}`,
      ])
      return {
        bare_mb: round(bare.rss, 1),
        median_mb: round(
          percentile(
            kids.map((k) => k.rss),
            50,
          ),
          1,
        ),
        max_mb: round(biggest.rss, 1),
        max_module: biggest.module,
        children: kids.length,
      }
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))
    }
  } finally {
    project.cleanup()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchUp({ quick: process.argv.includes('--quick') })))
}
