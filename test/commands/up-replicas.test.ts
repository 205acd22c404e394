/**
 * `waddlebot up --replicas router=3` on Postgres + Redis: three router processes behind the one port
 * (cluster workers of the supervisor). 3,000 events through that port are all answered, a per-user rate
 * limit stays exact across the replicas, and a SIGKILLed replica loses only the requests in flight on its
 * connections (counted) and is replaced.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { REDIS_TEST_URL, serversUnavailable } from '../helpers/backends.js'
import { BIN, freeOffset } from '../helpers/cli.js'
import { type FreshPostgres, freshPostgresUrl } from '../helpers/pg.js'

const skip = await serversUnavailable()
const KEY = `wbsk_${randomBytes(16).toString('hex')}`
const REPLICAS = 3
const RATE = 7

interface Answer {
  status: number
  body: Record<string, unknown>
}

/** One HTTP call through `agent` (keep-alive sockets: each is one connection, so one replica). */
function call(port: number, agent: Agent | false, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        timeout: 20_000,
        headers: { authorization: `Bearer ${KEY}`, ...(data ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end(data)
  })
}

const event = (user: string, message: string) => ({
  platform: 'local',
  server_id: 'soak',
  channel_id: 'main',
  user_id: user,
  user_name: user,
  message,
  message_type: 'chatMessage',
})

/** Runs `total` calls of `make(i)` with `concurrency` workers; collects answers and errors. */
async function drive(
  total: number,
  concurrency: number,
  send: (i: number) => Promise<Answer>,
  onProgress?: (done: number) => void,
): Promise<{ answers: Answer[]; errors: Error[] }> {
  const answers: Answer[] = []
  const errors: Error[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        try {
          answers.push(await send(i))
        } catch (error) {
          errors.push(error as Error)
        }
        onProgress?.(answers.length + errors.length)
      }
    }),
  )
  return { answers, errors }
}

describe('waddlebot up --replicas router=3 (one port)', { skip }, () => {
  let dir: string
  let db: FreshPostgres
  let up: ChildProcess
  let out = ''
  let port = 0
  const pids = (label?: string) =>
    [...out.matchAll(/\[supervisor\] started (\S+) pid (\d+)/g)]
      .filter((m) => label === undefined || m[1] === label)
      .map((m) => Number(m[2]))

  async function health(): Promise<{ pid: number; replica?: number } | undefined> {
    try {
      const res = await call(port, false, 'GET', '/health')
      return res.status === 200 ? (res.body as { pid: number; replica?: number }) : undefined
    } catch {
      return undefined
    }
  }

  /** pid → replica index seen over fresh connections, until `want` distinct pids answered. */
  async function replicasSeen(want: number, ceilingMs: number): Promise<Map<number, number | undefined>> {
    const seen = new Map<number, number | undefined>()
    const deadline = Date.now() + ceilingMs
    while (seen.size < want) {
      if (Date.now() > deadline) throw new Error(`only ${seen.size} replicas answered /health\n${out}`)
      const h = await health()
      if (h) seen.set(h.pid, h.replica)
      else await new Promise((r) => setTimeout(r, 100))
    }
    return seen
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wb-up-replicas-'))
    db = await freshPostgresUrl()
    writeFileSync(
      join(dir, 'waddlebot.yaml'),
      'auth: {require_keys: false}\nmodules:\n' +
        builtinCatalog
          .filter((m) => m.load && m.name !== 'router')
          .map((m) => `  ${m.name}: {enabled: false}\n`)
          .join(''),
    )
    const offset = await freeOffset()
    port = 8000 + offset
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WADDLEBOT_PORT_OFFSET: String(offset),
      DATABASE_URL: db.url,
      REDIS_URL: REDIS_TEST_URL,
      WADDLEBOT_REDIS_PREFIX: `wbtest:${process.pid}:${randomBytes(4).toString('hex')}:`,
      WADDLEBOT_SERVICE_KEY: KEY,
      WADDLEBOT_LOG_FORMAT: 'json',
    }
    delete env.NODE_TEST_CONTEXT
    delete env.WADDLEBOT_CONFIG
    up = spawn(process.execPath, [BIN, 'up', '--replicas', `router=${REPLICAS}`], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    up.stdout?.on('data', (c) => (out += c))
    up.stderr?.on('data', (c) => (out += c))
  })

  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up.once('exit', r))
      up.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    }
    for (const pid of [up?.pid, ...pids()]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL')
      } catch {}
    }
    await db?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves the three replicas behind the one port, each /health naming its pid and replica', async () => {
    const seen = await replicasSeen(REPLICAS, 40_000)
    assert.deepEqual([...seen.values()].sort(), [0, 1, 2])
    assert.deepEqual([...seen.keys()].sort(), pids().sort())
    assert.match(out, /router#3 +http:\/\/127\.0\.0\.1:\d+ \(replica 3, shared port\)/)
  })

  it('answers 3,000 events through the port, and a per-user rate limit stays exact across replicas', async () => {
    const set = await call(port, false, 'PUT', '/api/v1/admin/commands/overrides', {
      command: '!ping',
      entity_id: 'local:soak:main',
      rate_limit: RATE,
    })
    assert.equal(set.status, 200, JSON.stringify(set.body))
    // 'commands:changed' reaches every replica through Redis; wait until each one refuses the 8th use.
    const agent = new Agent({ keepAlive: true, maxSockets: 24 })
    const users = 100
    const { answers, errors } = await drive(3000, 24, (i) =>
      call(port, agent, 'POST', '/api/v1/events', event(`u${i % users}`, '!ping')),
    )
    agent.destroy()
    assert.deepEqual(errors, [])
    assert.equal(answers.length, 3000)
    assert.ok(
      answers.every((a) => a.status === 200),
      JSON.stringify(answers.find((a) => a.status !== 200)),
    )
    const outcomes = new Map<string, number>()
    for (const a of answers) outcomes.set(String(a.body.outcome), (outcomes.get(String(a.body.outcome)) ?? 0) + 1)
    assert.deepEqual(Object.fromEntries(outcomes), { command: users * RATE, rate_limited: 3000 - users * RATE })
  })

  it('a SIGKILLed replica loses only the requests in flight on its connections, and is replaced', async () => {
    const before = await replicasSeen(REPLICAS, 20_000)
    const victim = [...before.entries()].find(([, replica]) => replica === 1)?.[0]
    assert.ok(victim, 'replica 1 answered /health')
    const agent = new Agent({ keepAlive: true, maxSockets: 24 })
    let killed = false
    const { answers, errors } = await drive(
      900,
      24,
      (i) => call(port, agent, 'POST', '/api/v1/events', event(`k${i}`, '!ping')),
      (done) => {
        if (!killed && done >= 300) {
          killed = true
          process.kill(victim, 'SIGKILL')
        }
      },
    )
    agent.destroy()
    assert.ok(killed)
    // At most one request per open connection was in flight when the replica died.
    assert.ok(errors.length <= 24, `${errors.length} requests failed: ${errors.map((e) => e.message).join('; ')}`)
    for (const e of errors) assert.match(e.message, /socket hang up|ECONNRESET|EPIPE/)
    assert.equal(answers.length + errors.length, 900)
    assert.ok(answers.every((a) => a.status === 200 && a.body.outcome === 'command'))
    console.log(`# replica kill: ${errors.length} of 900 requests lost (in flight on the killed replica)`)
    // The supervisor starts a new router#2 and it takes connections on the same port.
    const after = await replicasSeen(REPLICAS, 40_000)
    assert.equal(after.has(victim), false)
    assert.equal(pids('router#2').length, 2)
    assert.match(out, /\[supervisor\] router#2 exited \(signal SIGKILL\)/)
  })
})
