// THE ACCEPTANCE TEST of issue 3 §4: 200 concurrent events for a command limited to 10 per minute, spread
// over two router processes sharing Redis, are answered with exactly 10 successes (and one notice).
// The "router processes" are test/fixtures/router-process.ts (the limits of the router, over HTTP) until
// the router pipeline is wired; `fireSplit` (test/helpers/limits.ts) is what a router-level version reuses.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { LimitCheck, LimitVerdict } from '../../src/modules/router/limits.js'
import { deleteRedisPrefix, redisSkipReason, TEST_REDIS_URL, uniqueNamespace } from '../contract/cache-suite.js'
import { fireSplit } from '../helpers/limits.js'

const FIXTURE = fileURLToPath(new URL('../fixtures/router-process.ts', import.meta.url))
const skip = await redisSkipReason()
const namespace = uniqueNamespace()

interface RouterProcess {
  readonly child: ChildProcess
  readonly url: string
  output(): string
}

/** Starts one fixture process and resolves once it prints its port. */
async function startRouterProcess(): Promise<RouterProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: { ...process.env, REDIS_URL: TEST_REDIS_URL, RATE_LIMIT_NAMESPACE: namespace },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`router process printed no port within 20 s:\n${out}`)), 20_000)
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const match = /port (\d+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`router process exited (${code}) before listening:\n${out}`))
    })
  })
  return { child, url: `http://127.0.0.1:${port}`, output: () => out }
}

async function stop(proc: RouterProcess | undefined): Promise<void> {
  if (proc === undefined || proc.child.exitCode !== null) return
  const exited = once(proc.child, 'exit')
  proc.child.kill('SIGTERM')
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

describe('router limits across two processes sharing Redis', { skip }, () => {
  let routers: RouterProcess[] = []
  before(async () => {
    routers = await Promise.all([startRouterProcess(), startRouterProcess()])
  })
  after(async () => {
    await Promise.all(routers.map(stop))
    if (!skip) await deleteRedisPrefix(TEST_REDIS_URL, namespace)
  })

  it('answers 200 concurrent events for a command limited to 10 per minute with exactly 10 successes', async () => {
    const event: LimitCheck = {
      command: '!so',
      userId: 'u1',
      entityId: 'twitch:chan:chan',
      displayName: 'Ann',
      rateLimit: 10,
      cooldownMs: 0,
    }
    const pids = new Set<number>()
    const tally = await fireSplit(routers, 200, async (router) => {
      const res = await fetch(`${router.url}/check`, { method: 'POST', body: JSON.stringify(event) })
      assert.equal(res.status, 200, await res.clone().text())
      const verdict = (await res.json()) as LimitVerdict & { pid: number }
      pids.add(verdict.pid)
      return verdict.ok ? { allowed: true } : { allowed: false, notice: verdict.notice }
    })
    assert.deepEqual(
      tally.perTarget.map((t) => t.sent),
      [100, 100],
    )
    assert.equal(pids.size, 2, 'both processes answered')
    assert.equal(tally.allowed, 10, `per process: ${JSON.stringify(tally.perTarget)}`)
    assert.equal(tally.refused, 190)
    assert.equal(tally.notices.length, 1, `notices: ${JSON.stringify(tally.notices)}`)
    assert.match(tally.notices[0]!, /^@Ann !so: slow down, try again in \d+ s$/)
  })
})
