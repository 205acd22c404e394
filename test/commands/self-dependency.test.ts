/** init's `waddlebot` dependency: the registry version, the installed tarball, or the checkout. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { selfDependency } from '../../src/cli/self-dependency.js'

const root = mkdtempSync(join(tmpdir(), 'wb-selfdep-'))
after(() => rmSync(root, { recursive: true, force: true }))

function installed(app: string, resolved: string): string {
  const pkg = join(root, app, 'node_modules', 'waddlebot')
  mkdirSync(pkg, { recursive: true })
  writeFileSync(join(pkg, 'package.json'), '{"name":"waddlebot","version":"0.3.1"}')
  writeFileSync(
    join(root, app, 'node_modules', '.package-lock.json'),
    JSON.stringify({ packages: { 'node_modules/waddlebot': { version: '0.3.1', resolved } } }),
  )
  return pkg
}

test('installed from a registry: ^version', () => {
  const pkg = installed('reg', 'https://registry.npmjs.org/waddlebot/-/waddlebot-0.3.1.tgz')
  assert.deepEqual(selfDependency(join(root, 'reg', 'mybot'), pkg), { spec: '^0.3.1', source: 'registry' })
})

test('installed from a tarball that is still there: file: path from the new project', () => {
  writeFileSync(join(root, 'waddlebot-0.3.1.tgz'), '')
  const pkg = installed('tar', 'file:../waddlebot-0.3.1.tgz')
  assert.deepEqual(selfDependency(join(root, 'tar', 'mybot'), pkg), {
    spec: 'file:../../waddlebot-0.3.1.tgz',
    source: 'tarball',
  })
})

test('installed from a tarball that is gone: the version', () => {
  const pkg = installed('gone', 'file:../nowhere/waddlebot-0.3.1.tgz')
  assert.equal(selfDependency(join(root, 'gone', 'mybot'), pkg).source, 'registry')
})

test('run from a checkout: file: path to it', () => {
  const checkout = join(root, 'src', 'waddlebot')
  mkdirSync(checkout, { recursive: true })
  writeFileSync(join(checkout, 'package.json'), '{"name":"waddlebot","version":"0.3.1"}')
  assert.deepEqual(selfDependency(join(root, 'bots', 'mybot'), checkout), {
    spec: 'file:../../src/waddlebot',
    source: 'checkout',
  })
})
