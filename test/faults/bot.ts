/**
 * The bot as a real child process for fault tests (`waddlebot run <modules>`), and a load generator that
 * records which events were acknowledged (200) so a test can check each one's execution row afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { exited, freeOffset, spawnCli, waitForHealth } from '../helpers/cli.js'

export interface Bot {
  readonly dir: string
  readonly url: string
  readonly key: string
  readonly child: ReturnType<typeof spawnCli>
  readonly port: (base: number) => number
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  cleanup(): void
}

/** A project folder of its own; `env` adds DATABASE_URL / REDIS_URL (SQLite file in the folder otherwise). */
export async function startBot(
  modules: readonly string[],
  env: Record<string, string> = {},
  basePorts: readonly number[] = [8000],
): Promise<Bot> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-fault-bot-'))
  const offset = await freeOffset(basePorts)
  const key = `svc-fault-${process.pid}`
  const child = spawnCli(['run', ...modules], {
    cwd: dir,
    env: { WADDLEBOT_PORT_OFFSET: String(offset), WADDLEBOT_SERVICE_KEY: key, WADDLEBOT_LOG_LEVEL: 'info', ...env },
  })
  const url = `http://127.0.0.1:${8000 + offset}`
  await waitForHealth(modules.includes('router') ? url : `http://127.0.0.1:${basePorts[0]! + offset}`, 60_000, child)
  return {
    dir,
    url,
    key,
    child,
    port: (base) => base + offset,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      return exited(child, 30_000)
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

let seq = 0
/** A `!ping` from a unique message id. */
export function pingEvent(): string {
  seq++
  return JSON.stringify({
    platform: 'local',
    server_id: 's',
    channel_id: 'c',
    user_id: `u${seq % 50}`,
    user_name: 'Ann',
    message: '!ping',
    message_id: `m${seq}`,
    message_type: 'chatMessage',
  })
}

export interface Tally {
  /** session_id of every event answered 200 with a command outcome. */
  readonly acked: string[]
  /** Count per HTTP status (0 = no answer: connection refused or reset). */
  readonly statuses: Map<number, number>
  /** Error codes seen on non-200 answers, and whether each 503 carried Retry-After. */
  readonly codes: Map<string, number>
  retryAfterMissing: number
}

export function newTally(): Tally {
  return { acked: [], statuses: new Map(), codes: new Map(), retryAfterMissing: 0 }
}

const bump = (m: Map<string | number, number>, k: string | number) => m.set(k, (m.get(k) ?? 0) + 1)

/** One `!ping` to the router, recorded in `tally`. */
export async function sendPing(bot: Bot, tally: Tally): Promise<number> {
  let res: Response
  try {
    res = await fetch(`${bot.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': bot.key },
      body: pingEvent(),
      signal: AbortSignal.timeout(30_000),
    })
  } catch {
    bump(tally.statuses, 0)
    return 0
  }
  const body = (await res.json().catch(() => ({}))) as {
    session_id?: string
    outcome?: string
    error?: { code?: string }
  }
  bump(tally.statuses, res.status)
  if (res.status === 200 && body.outcome === 'command' && body.session_id) tally.acked.push(body.session_id)
  else if (res.status !== 200) {
    bump(tally.codes as Map<string | number, number>, body.error?.code ?? 'none')
    if (res.status === 503 && !res.headers.get('retry-after')) tally.retryAfterMissing++
  }
  return res.status
}

/**
 * Keeps `concurrency` pings in flight until `stop()`; a failed request (no answer, 5xx) pauses its lane
 * for 20 ms so an outage does not turn into a busy loop.
 */
export function load(bot: Bot, tally: Tally, concurrency: number): { stop(): Promise<void> } {
  let running = true
  const lanes = Array.from({ length: concurrency }, async () => {
    while (running) {
      const status = await sendPing(bot, tally)
      if (status !== 200) await new Promise((r) => setTimeout(r, 20))
    }
  })
  return {
    async stop() {
      running = false
      await Promise.all(lanes)
    },
  }
}

/** Resolves once `check()` holds (polled every 20 ms); rejects after `ceilingMs` naming `what`. */
export async function until(what: string, check: () => boolean, ceilingMs = 60_000): Promise<void> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > ceilingMs) throw new Error(`${what}: not reached within ${ceilingMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** session_ids of `wanted` that have no command_executions row. */
export async function missingRows(databaseUrl: string, wanted: readonly string[]): Promise<string[]> {
  let found: Set<string>
  if (databaseUrl.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: databaseUrl })
    client.on('error', () => {})
    await client.connect()
    try {
      found = new Set(
        (await client.query<{ session_id: string }>('select session_id from command_executions')).rows.map(
          (r) => r.session_id,
        ),
      )
    } finally {
      await client.end()
    }
  } else {
    const db = new Database(databaseUrl.replace(/^sqlite:/, ''))
    try {
      found = new Set(
        (db.prepare('select session_id from command_executions').all() as { session_id: string }[]).map(
          (r) => r.session_id,
        ),
      )
    } finally {
      db.close()
    }
  }
  return wanted.filter((s) => !found.has(s))
}
