/**
 * Issue 16 (4): `waddlebot kong config` (the real CLI) prints a Kong declarative configuration that parses as
 * YAML (format 3.0), has a service and a key-auth route per enabled module (none for disabled ones), one
 * target per replica, and key-auth on every route except the exceptions docs/kong.md lists (read from the
 * page, so an undocumented open route fails); rate limiting per consumer and CORS for the hub origin.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { parse } from 'yaml'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { REPO, runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML
type Json = any

const DISABLED = ['ai', 'calendar']
let project: TestProject
let config: Json

/** The backticked paths of docs/kong.md's "Routes without a key" section. */
function documentedOpenPaths(): string[] {
  const doc = readFileSync(join(REPO, 'docs/kong.md'), 'utf8')
  const section = /## Routes without a key\n([\s\S]*?)\n## /.exec(doc)?.[1]
  assert.ok(section, 'docs/kong.md has a "Routes without a key" section')
  return [...section.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]!)
}

before(async () => {
  project = testProject({
    yaml: `modules:\n${DISABLED.map((m) => `  ${m}: {enabled: false}\n`).join('')}  labels: {replicas: 2}\n`,
  })
  const out = join(project.dir, 'kong.yaml')
  const res = await runCli(
    [
      'kong',
      'config',
      '--out',
      out,
      '--hub-origin',
      'https://hub.example.com',
      '--upstream-host',
      'wb-{module}',
      '--replicas',
      'router=3',
    ],
    { cwd: project.dir, env: project.settings.env },
  )
  assert.equal(res.code, 0, res.stderr)
  config = parse(readFileSync(out, 'utf8'))
})
after(() => project?.cleanup())

test('the output is Kong declarative config 3.0 with a key-auth route per enabled module', () => {
  assert.equal(config._format_version, '3.0')
  const enabled = builtinCatalog.filter((m) => m.load && !DISABLED.includes(m.name)).map((m) => m.name)
  const byName = new Map<string, Json>(config.services.map((s: Json) => [s.name, s]))
  for (const name of enabled) {
    const svc = byName.get(`wb-${name}`)
    assert.ok(svc, `a service for ${name}`)
    assert.equal(svc.host, `wb-${name}.upstream`)
    const main = svc.routes.find((r: Json) => r.name === `wb-${name}`)
    assert.deepEqual(main.paths, [`/${name}`])
    assert.equal(main.strip_path, true)
    assert.ok(main.plugins.some((p: Json) => p.name === 'key-auth'))
  }
  for (const name of DISABLED) assert.ok(!byName.has(`wb-${name}`), `no service for disabled ${name}`)
  assert.ok(byName.has('wb-kong-admin-broker'))
})

test('one upstream target per replica, at the replica ports, on the given host', () => {
  const targets = (name: string) =>
    config.upstreams.find((u: Json) => u.name === `wb-${name}.upstream`).targets.map((t: Json) => t.target)
  assert.deepEqual(targets('router'), ['wb-router:8000', 'wb-router:9000', 'wb-router:10000'])
  assert.deepEqual(targets('labels'), ['wb-labels:8040', 'wb-labels:9040'])
  assert.deepEqual(targets('reputation'), ['wb-reputation:8055'])
})

test('key-auth on every route but the documented exceptions', () => {
  const documented = documentedOpenPaths()
  assert.ok(documented.includes('/<module>/health'))
  assert.ok(
    documented.some((p) => p.includes('/browser/source/')),
    'the overlay pages are documented',
  )
  const routes = config.services.flatMap((s: Json) => s.routes)
  const seen = new Set<string>()
  for (const r of routes) {
    for (const p of r.paths) {
      assert.ok(!seen.has(p), `path ${p} is routed once`)
      seen.add(p)
    }
    if ((r.plugins ?? []).some((p: Json) => p.name === 'key-auth')) continue
    for (const p of r.paths) {
      const generic = p.replace(/^\/([a-z0-9-]+)\/health$/, '/<module>/health')
      assert.ok(documented.includes(generic), `open route ${r.name} path ${p} is listed in docs/kong.md`)
    }
  }
  const health = config.services.find((s: Json) => s.name === 'wb-reputation-health')
  assert.equal(health.path, '/health')
  assert.deepEqual(health.routes[0].paths, ['/reputation/health'])
  for (const p of routes.flatMap((r: Json) => r.paths).filter((x: string) => x.startsWith('~')))
    assert.match(p, /\$$/, `${p} is anchored at the end`)
})

test('rate limiting per consumer and CORS for the hub origin, globally', () => {
  const plugin = (name: string) => config.plugins.find((p: Json) => p.name === name)
  assert.equal(plugin('rate-limiting').config.limit_by, 'consumer')
  assert.equal(plugin('rate-limiting').config.minute, 600)
  assert.deepEqual(plugin('cors').config.origins, ['https://hub.example.com'])
  assert.ok(plugin('cors').config.headers.includes('X-API-Key'))
})

test('stdout by default; a bad origin is one error line and a non-zero exit', async () => {
  const ok = await runCli(['kong', 'config', '--rate-limit', '60'], { cwd: project.dir, env: project.settings.env })
  assert.equal(ok.code, 0, ok.stderr)
  const parsed = parse(ok.stdout)
  assert.equal(parsed.plugins.find((p: Json) => p.name === 'rate-limiting').config.minute, 60)
  assert.ok(parsed.services.some((s: Json) => s.name === 'wb-router'))
  const bad = await runCli(['kong', 'config', '--hub-origin', 'hub.example.com/x'], {
    cwd: project.dir,
    env: project.settings.env,
  })
  assert.notEqual(bad.code, 0)
  assert.match(bad.stderr.trim(), /^error WB_INPUT_INVALID: .*hub-origin/)
  assert.equal(bad.stderr.trim().split('\n').length, 1)
})
