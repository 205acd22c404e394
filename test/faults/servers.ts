/**
 * Private database servers for fault tests: a Redis server and a Postgres cluster of the test's own, in a
 * temp folder, on spare ports. Tests stop, kill and restart these; the shared 5432/6379 servers are never
 * touched. Postgres binaries come from /usr/lib/postgresql/<newest>/bin (Debian's `postgresql` package);
 * as root, the cluster runs as the `postgres` OS user (initdb refuses root).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import { claimed, portFree } from '../helpers/cli.js'

const run = promisify(execFile)

/**
 * A port that is free right now and claimed for this process, in 12,000–17,999: below every port of
 * freeOffset (≥ 18,000) and below Linux's ephemeral range (see test/helpers/cli.ts).
 */
export async function sparePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 12_000 + Math.floor(Math.random() * 6_000)
    if ((await portFree(port)) && claimed(`port-${port}`)) return port
  }
  throw new Error('no spare port found')
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (await check().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`)
}

/** The folder of Postgres server binaries (initdb, pg_ctl), newest major first; undefined when absent. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return undefined
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))
  return versions[0] ? join(root, versions[0], 'bin') : undefined
}

/** Why these tests cannot run here (they are skipped), or undefined. Under CI=true a missing server throws. */
export function missingServers(): string | undefined {
  let reason: string | undefined
  if (!postgresBinDir()) reason = 'no initdb under /usr/lib/postgresql/*/bin (install the postgresql package)'
  else if (!['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some(existsSync))
    reason = 'no redis-server (install the redis-server package)'
  if (reason && process.env.CI === 'true') throw new Error(`${reason} (CI=true: the fault tests must run)`)
  return reason
}

export interface PrivateRedis {
  readonly url: string
  /** SIGKILL: the server vanishes without closing anything (a crash). */
  kill(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
  stop(): Promise<void>
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'wb-fault-redis-'))
  const port = await sparePort()
  let child: ChildProcess | undefined
  const ping = async () => {
    const c = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    c.on('error', () => {})
    try {
      await c.connect()
      return (await c.ping()) === 'PONG'
    } finally {
      c.disconnect()
    }
  }
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    )
    await until(`redis on ${port}`, ping)
  }
  const kill = async () => {
    const c = child
    child = undefined
    if (!c || c.exitCode !== null) return
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve())
      c.kill('SIGKILL')
    })
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  readonly port: number
  /** `url` with another database name. */
  urlOf(database: string): string
  /** A new database on the cluster. */
  database(name: string): Promise<string>
  /** `pg_ctl stop -m immediate`: every backend is killed, no checkpoint (crash recovery on start). */
  stopImmediate(): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
}

/** A temp folder owned by the user the cluster runs as, a spare port, and a runner for Postgres binaries. */
async function clusterHome(): Promise<{
  dir: string
  data: string
  port: number
  options: string
  pgBin: (name: string, args: string[]) => Promise<unknown>
}> {
  const bin = postgresBinDir()
  if (!bin) throw new Error('no Postgres binaries')
  const dir = mkdtempSync(join(tmpdir(), 'wb-fault-pg-'))
  const port = await sparePort()
  const asRoot = process.getuid?.() === 0
  if (asRoot) chownSync(dir, ...(await postgresIds()))
  /** Runs a Postgres binary, as the `postgres` OS user when this process is root. */
  const pgBin = (name: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, name), ...args], { cwd: dir })
      : run(join(bin, name), args, { cwd: dir })
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50 -c shared_buffers=16MB`
  return { dir, data: join(dir, 'data'), port, options, pgBin }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { dir, data, port, options, pgBin } = await clusterHome()
  await pgBin('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions'])
  const start = async () => {
    await pgBin('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'])
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  await start()
  return {
    url,
    port,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async database(name) {
      const client = new pg.Client({ connectionString: url })
      client.on('error', () => {})
      await client.connect()
      try {
        await client.query(`create database "${name}"`)
      } finally {
        await client.end()
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    },
    async stopImmediate() {
      await pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
    },
    start,
    async stop() {
      await pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface PrivateStandby {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` on the standby (read-only). */
  urlOf(database: string): string
  /** Stops applying the primary's changes (reads stay possible, and stale), until `resume()`. */
  pause(): Promise<void>
  resume(): Promise<void>
  /** Resolves once the standby has replayed everything the primary had written when called. */
  caughtUp(): Promise<void>
  stop(): Promise<void>
}

/**
 * A hot standby of `primary` on its own spare port: `pg_basebackup -R` (streaming replication, the
 * recovery settings written for it), then `pg_ctl start`. initdb's default pg_hba trusts replication from
 * 127.0.0.1.
 */
export async function startPrivateStandby(primary: PrivatePostgres): Promise<PrivateStandby> {
  const { dir, data, port, options, pgBin } = await clusterHome()
  await pgBin('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primary.port),
    '-U',
    'postgres',
    '-D',
    data,
    '-R',
    '-X',
    'stream',
    '--no-sync',
  ])
  await pgBin('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '60', 'start'])
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
  const one = async <T>(url: string, text: string): Promise<T> => {
    const client = new pg.Client({ connectionString: url })
    client.on('error', () => {})
    await client.connect()
    try {
      return (await client.query(text)).rows[0] as T
    } finally {
      await client.end()
    }
  }
  return {
    urlOf,
    pause: () => one(urlOf('postgres'), 'select pg_wal_replay_pause()'),
    resume: () => one(urlOf('postgres'), 'select pg_wal_replay_resume()'),
    async caughtUp() {
      const { lsn } = await one<{ lsn: string }>(primary.url, 'select pg_current_wal_lsn()::text as lsn')
      await until('the standby to catch up', async () => {
        const r = await one<{ ok: boolean }>(
          urlOf('postgres'),
          `select pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn as ok`,
        )
        return r.ok
      })
    },
    async stop() {
      await pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function postgresIds(): Promise<[number, number]> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
  return [Number(uid.stdout.trim()), Number(gid.stdout.trim())]
}
