import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { renderTemplate, TEMPLATES_DIR } from '../../src/cli/render-template.js'
import type { ModuleRow } from '../../src/commands/module/list.js'
import { loadSettings } from '../../src/runtime/config.js'
import { createRegistry } from '../../src/runtime/registry.js'
import { builtinCatalog } from '../../src/modules/catalog.js'

const SEED_PORTS = Object.fromEntries(builtinCatalog.map((m) => [m.name, m.port]))

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OFFSET = 33_000

interface Run {
  code: number
  stdout: string
  stderr: string
}
function cli(cwd: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env, WADDLEBOT_PORT_OFFSET: String(OFFSET), WADDLEBOT_CONFIG: '' }
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/run.js'), ...args],
      { cwd, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })
      },
    )
  })
}

let project: string
before(() => {
  project = mkdtempSync(join(tmpdir(), 'wb-module-list-'))
  renderTemplate(join(TEMPLATES_DIR, 'module'), join(project, 'modules/greeter'), { name: 'greeter', port: '8100' })
  writeFileSync(
    join(project, 'waddlebot.yaml'),
    [
      'modules:',
      '  greeter: { path: ./modules/greeter, port: 8100 }',
      '  ghost: { path: ./modules/ghost, port: 8101, enabled: false }',
      '',
    ].join('\n'),
  )
})
after(() => rmSync(project, { recursive: true, force: true }))

describe('waddlebot module list', { concurrency: true }, () => {
  test('--json: every seed module, the project module with its command, a broken one as an error', async () => {
    const r = await cli(project, 'module', 'list', '--json')
    assert.equal(r.code, 0, r.stderr)
    const rows = JSON.parse(r.stdout) as ModuleRow[]
    const byName = new Map(rows.map((row) => [row.name, row]))
    assert.deepEqual(
      rows.map((row) => row.name),
      [...Object.keys(SEED_PORTS), 'greeter', 'ghost'],
    )

    // Seed modules are reported as the registry sees them: built ones available, the rest not (never faked).
    const registry = createRegistry(loadSettings({ cwd: project, env: {} }), builtinCatalog)
    for (const [name, port] of Object.entries(SEED_PORTS)) {
      const row = byName.get(name)!
      assert.equal(row.source, 'seed')
      assert.equal(row.port, port + OFFSET, `${name} port with offset`)
      assert.equal(row.status, registry.get(name)!.available ? 'available' : 'not available', name)
      if (row.status === 'not available') assert.deepEqual([row.enabled, row.commands], [false, []], name)
    }
    const router = byName.get('router')!
    assert.equal(router.status, 'available')
    assert.equal(router.kind, 'router')
    assert.ok(
      router.commands.length > 0 && router.commands.every((c) => /^[!#][a-z0-9]/.test(c)),
      String(router.commands),
    )

    assert.deepEqual(byName.get('greeter'), {
      name: 'greeter',
      kind: 'interaction',
      port: 8100 + OFFSET,
      enabled: true,
      status: 'available',
      source: 'project',
      commands: ['!greeter'],
    })
    const ghost = byName.get('ghost')!
    assert.equal(ghost.enabled, false)
    assert.match(ghost.status, /^error: no index\.ts or index\.js in .*ghost$/)
  })

  test('prints a table for humans', async () => {
    const r = await cli(project, 'module', 'list')
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trimEnd().split('\n')
    assert.match(lines[0]!, /^NAME\s+KIND\s+PORT\s+ENABLED\s+STATUS\s+SOURCE\s+COMMANDS$/)
    assert.equal(lines.length, 1 + Object.keys(SEED_PORTS).length + 2)
    assert.match(
      r.stdout,
      new RegExp(`^greeter\\s+interaction\\s+${8100 + OFFSET}\\s+yes\\s+available\\s+project\\s+!greeter$`, 'm'),
    )
    assert.match(r.stdout, new RegExp(`^router\\s+router\\s+${8000 + OFFSET}\\s+yes\\s+available\\s+seed\\s+!`, 'm'))
  })
})
