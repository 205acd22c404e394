#!/usr/bin/env node
// The container image's HEALTHCHECK: GET /health on every TCP port this container listens on (read from
// /proc/net/tcp and tcp6, which show only the container's own network namespace), so the one check is right
// for whichever module the container runs. Ports given as arguments are checked instead (for operators and
// tests). Exit 0 when every port answers 2xx, 1 otherwise (nothing listening yet counts as unhealthy).
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

/** The listening ports in the text of /proc/net/tcp or /proc/net/tcp6 (state 0A = LISTEN). */
export function listeningPorts(procNetText) {
  const ports = new Set()
  for (const line of procNetText.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/)
    if (fields.length < 4 || fields[3] !== '0A') continue
    const port = Number.parseInt(fields[1].split(':').pop(), 16)
    if (Number.isInteger(port) && port > 0) ports.add(port)
  }
  return [...ports]
}

function ownListeningPorts() {
  const ports = new Set()
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const p of listeningPorts(readFileSync(file, 'utf8'))) ports.add(p)
    } catch {
      // no IPv6 (or no /proc): the other table is enough
    }
  }
  return [...ports].sort((a, b) => a - b)
}

/** `null` when /health on the port answered 2xx, else the reason. */
export async function probe(port, timeoutMs = 4000) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(timeoutMs) })
    return res.ok ? null : `port ${port}: /health answered ${res.status}`
  } catch (err) {
    return `port ${port}: ${err instanceof Error ? err.message : String(err)}`
  }
}

async function main(argv) {
  const ports = argv.length > 0 ? argv.map(Number) : ownListeningPorts()
  if (ports.length === 0) {
    process.stderr.write('unhealthy: nothing is listening yet\n')
    return 1
  }
  const failures = (await Promise.all(ports.map((p) => probe(p)))).filter((f) => f !== null)
  for (const f of failures) process.stderr.write(`unhealthy: ${f}\n`)
  return failures.length === 0 ? 0 : 1
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main(process.argv.slice(2))
