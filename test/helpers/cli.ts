/** Runs the real CLI as a child process, and picks port offsets that are free right now. */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
export const REPO = fileURLToPath(new URL('../../', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export function runCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

export function spawnCli(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  return Object.assign(child, { output: () => out })
}

/** Claims of this process's test files on offsets and ports, kept until it exits (see `claimed`). */
const CLAIMS = join(tmpdir(), 'wb-test-port-claims')
const mine: string[] = []
process.once('exit', () => {
  for (const file of mine) rmSync(file, { force: true })
})

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Claims `name` (an offset or a port) for this process until it exits: a file created exclusively under
 * the temp folder, holding the pid. Test files run side by side, and a port found free here may be bound
 * only seconds later (a child process that starts up); without a claim a second file could pick the same
 * one meanwhile. A claim left by a process that is gone is taken over.
 */
export function claimed(name: string): boolean {
  mkdirSync(CLAIMS, { recursive: true })
  const file = join(CLAIMS, name)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      mine.push(file)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(file, 'utf8').trim())
      if (owner === process.pid || (Number.isInteger(owner) && owner > 0 && alive(owner))) return false
      rmSync(file, { force: true })
    }
  }
  return false
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer()
    srv.once('error', () => resolve(false))
    srv.listen({ host: '127.0.0.1', port }, () => srv.close(() => resolve(true)))
  })
}

/**
 * A WADDLEBOT_PORT_OFFSET under which the given base ports (default: 8000-8100) are all free. Offsets stay
 * in 10,000-23,990 so that every port (base ≤ 8,700) is below 32,768, where Linux starts handing out
 * ephemeral ports to outgoing connections: a port chosen there can be taken by some client's socket
 * between this check and the listen.
 */
export async function freeOffset(basePorts: readonly number[] = [8000, 8100, 8101]): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const offset = 10_000 + Math.floor(Math.random() * 1_400) * 10
    const free = await Promise.all(basePorts.map((p) => portFree(p + offset)))
    if (free.every(Boolean) && claimed(`offset-${offset}`)) return offset
  }
  throw new Error('no free port offset found')
}

export async function waitForHealth(
  url: string,
  timeoutMs = 20_000,
  child?: ChildProcess & { output?: () => string },
): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (child && child.exitCode !== null)
      throw new Error(`process exited (${child.exitCode}) before ${url} was healthy:\n${child.output?.() ?? ''}`)
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) })).ok) return Date.now() - started
    } catch {}
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url}/health not 200 within ${timeoutMs} ms`)
}

export function exited(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('process did not exit')), timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(t)
      resolve(code)
    })
  })
}
