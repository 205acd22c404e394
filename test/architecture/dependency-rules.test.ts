/**
 * The import rules of .dependency-cruiser.cjs, each shown failing on a deliberate violation while the allowed
 * form beside it passes. A small tree in a temp folder mirrors the layout; the real depcruise CLI checks it
 * once with the project's own config. `npm run depcheck` (in `npm test`) checks the real tree.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'

const ROOT = resolve(import.meta.dirname, '../..')
const CONFIG = join(ROOT, '.dependency-cruiser.cjs')
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs')

const leaf = 'export const x = 1\n'
const uses = (...specs: string[]) =>
  `${specs.map((s, i) => `import { x as x${i} } from '${s}'`).join('\n')}\nexport const z = 0\n`

/** Every file of the tree: violations and allowed imports side by side. */
const TREE: Record<string, string> = {
  'src/contract/events.ts': uses('../runtime/errors.js'), // ✗ contract → runtime
  'src/contract/router.ts': uses('./events.js'), // ✓
  'src/runtime/errors.ts': leaf,
  'src/runtime/host.ts': uses('./errors.js', '../modules/router/pipeline.js', '../tui/app.js', '../cli/registry.js'), // ✓ ✗ ✗ ✗
  'src/tui/app.ts': leaf,
  'src/cli/registry.ts': uses('../modules/catalog.js'), // ✓ the catalog
  'src/modules/catalog.ts': uses('./router/manifest.js', '../collectors/twitch/manifest.js'), // ✓
  'src/modules/router/manifest.ts': leaf,
  'src/modules/router/store.ts': leaf,
  'src/modules/router/public.ts': uses('./store.js'),
  'src/modules/router/pipeline.ts': uses(
    './store.js',
    '../browser-source/hub.js',
    '../browser-source/public.js',
    'discord.js',
  ), // ✓ ✗ ✓ ✗
  'src/modules/browser-source/hub.ts': leaf,
  'src/modules/browser-source/public.ts': uses('./hub.js'),
  'src/collectors/core/queue.ts': leaf,
  'src/collectors/discord/gateway.ts': uses('discord.js'), // ✓ its own library
  'src/collectors/twitch/manifest.ts': leaf,
  'src/collectors/twitch/chat.ts': uses(
    '../core/queue.js',
    '../discord/gateway.js',
    '../../modules/router/store.js',
    '../../modules/router/public.js',
    'tmi.js',
    '@slack/bolt',
  ), // ✓ ✗ ✗ ✓ ✓ ✗
  'src/commands/moderation/add.ts': uses('../../modules/router/store.js', '../../modules/router/public.js'), // ✗ ✓
}

let found: string[] = []
const dirs: string[] = []

before(() => {
  const dir = mkdtempSync(join(tmpdir(), 'wb-deps-'))
  dirs.push(dir)
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', allowJs: true } }),
  )
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }))
  for (const [path, source] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), source)
  }
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', CONFIG, '--output-type', 'json'], {
    cwd: dir,
    encoding: 'utf8',
  })
  assert.ok(run.stdout.trim().startsWith('{'), `depcruise did not report: ${run.stderr}`)
  const report = JSON.parse(run.stdout) as {
    summary: { violations: { rule: { name: string }; from: string; to: string }[] }
  }
  found = report.summary.violations
    .map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1')}`)
    .sort()
})
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const of = (rule: string) => found.filter((v) => v.startsWith(`${rule}:`)).map((v) => v.slice(rule.length + 2))

describe('dependency rules (each fails on a deliberate violation)', () => {
  test('the runtime imports no module, collector, command, CLI helper or TUI', () => {
    assert.deepEqual(of('runtime-stays-down'), [
      'src/runtime/host.ts → src/cli/registry.ts',
      'src/runtime/host.ts → src/modules/router/pipeline.ts',
      'src/runtime/host.ts → src/tui/app.ts',
    ])
  })

  test('the contract depends on nothing but itself', () => {
    assert.deepEqual(of('contract-stays-pure'), ['src/contract/events.ts → src/runtime/errors.ts'])
  })

  test('a module reaches another module only through its public entry', () => {
    assert.deepEqual(of('modules-meet-through-public-entries'), [
      'src/modules/router/pipeline.ts → src/modules/browser-source/hub.ts',
    ])
  })

  test('a collector reaches other collectors and modules only through their public entries (the collector core is shared)', () => {
    assert.deepEqual(of('collectors-meet-through-public-entries'), [
      'src/collectors/twitch/chat.ts → src/collectors/discord/gateway.ts',
      'src/collectors/twitch/chat.ts → src/modules/router/store.ts',
    ])
  })

  test("a command or CLI helper never imports a module's internals", () => {
    assert.deepEqual(of('commands-use-public-faces'), ['src/commands/moderation/add.ts → src/modules/router/store.ts'])
  })

  test("only a platform's own collector imports its platform library", () => {
    assert.deepEqual(of('only-the-discord-collector-imports-discord-lib'), [
      'src/modules/router/pipeline.ts → discord.js',
    ])
    assert.deepEqual(of('only-the-slack-collector-imports-slack-lib'), ['src/collectors/twitch/chat.ts → @slack/bolt'])
    assert.deepEqual(of('only-the-twitch-collector-imports-twitch-lib'), [])
  })

  test('nothing else is reported', () => {
    assert.equal(found.length, 10, found.join('\n'))
  })
})
