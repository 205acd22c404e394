/**
 * The container image: the Dockerfile passes dockerfile-utils' linter with no finding at all (warnings
 * included), is multi-stage, runs as a non-root user, runs the project's build step, exposes every catalog
 * port and checks /health with bin/healthcheck.mjs, which is tested here against real listeners.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { DockerfileParser } from 'dockerfile-ast'
import { validate } from 'dockerfile-utils'
import { builtinCatalog } from '../../src/modules/catalog.js'
// @ts-expect-error the healthcheck is a plain .mjs script without types
import { listeningPorts } from '../../bin/healthcheck.mjs'

const REPO = new URL('../../', import.meta.url)
const text = readFileSync(new URL('Dockerfile', REPO), 'utf8')
const dockerfile = DockerfileParser.parse(text)
const instructions = dockerfile.getInstructions()
const args = (keyword: string) =>
  instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArgumentsContent() ?? '')

test('the Dockerfile lints clean (dockerfile-utils, warnings count as failures)', () => {
  const findings = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
  assert.deepEqual(findings, [])
  assert.ok(
    validate('FROM node:20\nUSER\nHEALTHCHECK CMD a\nHEALTHCHECK CMD b\n').length >= 2,
    'the linter finds faults',
  )
})

test('multi-stage, non-root, the build step, one entrypoint for every module, every catalog port exposed', () => {
  const froms = dockerfile.getFROMs()
  assert.ok(froms.length >= 2, 'a build stage and a runtime stage')
  const lastFrom = froms.at(-1)!.getRange().start.line
  const runtimeUsers = instructions.filter((i) => i.getKeyword() === 'USER' && i.getRange().start.line > lastFrom)
  assert.equal(runtimeUsers.length, 1)
  assert.doesNotMatch(runtimeUsers[0]!.getArgumentsContent() ?? '', /^(root|0)(:|$)/)
  assert.ok(args('RUN').some((r) => r.includes('npm run build --if-present')))
  assert.ok(args('RUN').some((r) => r.includes('npm prune --omit=dev')))
  assert.deepEqual(args('ENTRYPOINT'), ['["waddlebot"]'])
  const exposed = new Set(args('EXPOSE').flatMap((a) => a.split(/\s+/).map(Number)))
  for (const m of builtinCatalog) assert.ok(exposed.has(m.port), `${m.name} port ${m.port} exposed`)
  const [healthcheck] = args('HEALTHCHECK')
  assert.match(healthcheck ?? '', /CMD \["node", "\/app\/bin\/healthcheck\.mjs"\]/)
})

test('.dockerignore keeps secrets, dependencies and the git history out of the build', () => {
  const ignored = readFileSync(new URL('.dockerignore', REPO), 'utf8').split('\n')
  for (const entry of ['.env', 'node_modules', '.git', 'data']) assert.ok(ignored.includes(entry), entry)
})

function listen(status: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === '/health' ? status : 404
    res.end('{}')
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function healthcheck(ports: number[]): Promise<{ code: number; stderr: string }> {
  const script = fileURLToPath(new URL('bin/healthcheck.mjs', REPO))
  return new Promise((resolve) =>
    execFile(process.execPath, [script, ...ports.map(String)], { timeout: 20_000 }, (err, _out, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    ),
  )
}

test('healthcheck: every port must answer /health with 2xx; listeners are read from /proc/net/tcp', async () => {
  const [up, down] = await Promise.all([listen(200), listen(503)])
  try {
    const upPort = (up.address() as AddressInfo).port
    const downPort = (down.address() as AddressInfo).port
    assert.ok(listeningPorts(readFileSync('/proc/net/tcp', 'utf8')).includes(upPort))
    assert.equal((await healthcheck([upPort])).code, 0)
    const failed = await healthcheck([upPort, downPort])
    assert.equal(failed.code, 1)
    assert.match(failed.stderr, new RegExp(`port ${downPort}: /health answered 503`))
  } finally {
    up.close()
    down.close()
  }
})
