import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { builtinCatalog } from '../../src/modules/catalog.js'

const OFFSET = 21_370
const ROUTER = `http://127.0.0.1:${8000 + OFFSET}`
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

const dir = mkdtempSync(join(tmpdir(), 'wb-up-'))
writeFileSync(
  join(dir, 'waddlebot.yaml'),
  'auth: {require_keys: false}\nmodules:\n' +
    // Every built-in module but the router is off: these tests count the processes `up` starts.
    builtinCatalog
      .filter((m) => m.load && m.name !== 'router')
      .map((m) => m.name)
      .map((m) => `  ${m}: {enabled: false}\n`)
      .join(''),
)
const env: NodeJS.ProcessEnv = {
  ...process.env,
  WADDLEBOT_PORT_OFFSET: String(OFFSET),
  DATABASE_URL: `sqlite:${join(dir, 'data', 'waddlebot.db')}`,
}
delete env.NODE_TEST_CONTEXT
delete env.WADDLEBOT_CONFIG

interface Up {
  readonly proc: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
  /** Child pids from `[supervisor] started <label> pid <n>` lines. */
  readonly pids: (label?: string) => number[]
}

const running: Up[] = []
after(() => {
  for (const up of running) {
    for (const pid of [up.proc.pid, ...up.pids()]) if (pid && isAlive(pid)) process.kill(pid, 'SIGKILL')
  }
  rmSync(dir, { recursive: true, force: true })
})

function startUp(args: string[]): Up {
  const proc = spawn(process.execPath, [BIN, 'up', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  proc.stdout?.on('data', (c) => (out += c))
  proc.stderr?.on('data', (c) => (out += c))
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const pids = (label?: string) =>
    [...out.matchAll(/\[supervisor\] started (\S+) pid (\d+)/g)]
      .filter((m) => label === undefined || m[1] === label)
      .map((m) => Number(m[2]))
  const up = { proc, output: () => out, exited, pids }
  running.push(up)
  return up
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH')
    return false
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  up?: Up,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${up ? `\n--- output ---\n${up.output()}` : ''}`,
      )
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function healthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) })
    return res.status === 200
  } catch {
    return false
  }
}

async function stopUp(up: Up): Promise<void> {
  const pids = up.pids()
  up.proc.kill('SIGTERM')
  const code = await Promise.race([up.exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))])
  assert.equal(code, 0, up.output())
  for (const pid of pids) assert.equal(isAlive(pid), false, `child ${pid} is still alive`)
}

describe('waddlebot up', () => {
  it('supervises the router, restarts it after a SIGKILL and stops everything on SIGTERM', async () => {
    const up = startUp([])
    await waitFor('router /health', () => healthy(ROUTER), 20_000, up)
    assert.match(up.output(), /waddlebot up: 1 process in /)
    const [first] = await waitFor('the router pid', () => up.pids('router').length === 1 && up.pids('router'), 5000, up)
    assert.ok(first)
    process.kill(first, 'SIGKILL')
    // Generous ceilings, not deadlines (the restart delay is the supervisor's 250 ms backoff, unit-tested).
    await waitFor('a new router pid', () => up.pids('router').length === 2, 30_000, up)
    assert.match(up.output(), /\[supervisor\] router exited \(signal SIGKILL\) after [\d.]+ s; restart 1 in 250 ms/)
    await waitFor('router /health again', () => healthy(ROUTER), 30_000, up)
    assert.match(up.output(), /\[router\] +.*Server listening/)
    await stopUp(up)
    assert.equal(await healthy(ROUTER), false)
  })

  it('runs replicas behind the one port, each with its own prefix', async () => {
    const up = startUp(['--replicas', 'router=2'])
    const seen = new Set<number>()
    await waitFor(
      'both routers answering on the one port',
      async () => {
        // A fresh connection each time: the supervisor hands connections to the replicas in turn.
        const res = await fetch(`${ROUTER}/health`, { headers: { connection: 'close' } }).catch(() => undefined)
        if (res?.status === 200) seen.add(((await res.json()) as { pid: number }).pid)
        return seen.size === 2
      },
      25_000,
      up,
    )
    assert.match(up.output(), new RegExp(`router#2 +${ROUTER} \\(replica 2, shared port\\)`))
    assert.match(up.output(), /\[router#2\] +.*Server listening/)
    assert.deepEqual([...seen].sort(), up.pids().sort())
    assert.match(up.output(), /warning: replicas without REDIS_URL keep their own cache and rate limits/)
    await stopUp(up)
  })

  for (const [args, pattern] of [
    [['--replicas', 'router=x'], /^error WB_INPUT_INVALID: invalid replicas: expected <module>=<count>/m],
    [['--replicas', 'hub=2'], /^error WB_INPUT_INVALID: invalid replicas: hub is not one of the supervised modules/m],
    [['--only', 'nope'], /^error WB_MODULE_UNKNOWN: unknown module nope/m],
  ] as const) {
    it(`refuses ${args.join(' ')} with a one-line error and exit 2`, async () => {
      const up = startUp([...args])
      assert.equal(await up.exited, 2, up.output())
      assert.match(up.output(), pattern)
      assert.deepEqual(up.pids(), [])
    })
  }
})
