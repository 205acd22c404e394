/** Runs the real CLI as a child process, and picks port offsets that are free right now. */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createServer } from 'node:net'
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

function portFree(port: number): Promise<boolean> {
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
    if (free.every(Boolean)) return offset
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
