import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { isWaddleError } from '../../src/runtime/errors.js'
import { type Catalog, createRegistry } from '../../src/runtime/registry.js'
import { testProject } from '../helpers/settings.js'

const project = testProject()
after(() => project.cleanup())

test('a catalog entry without code is listed as not available, never enabled, and refuses to load', async () => {
  const catalog: Catalog = [{ name: 'someday', kind: 'core', port: 8199, summary: 'not built' }]
  const registry = createRegistry(project.settings, catalog)
  const entry = registry.get('someday')
  assert.ok(entry)
  assert.equal(entry.available, false)
  assert.equal(entry.enabled, false)
  assert.deepEqual(
    registry.runnable().map((e) => e.name),
    [],
  )
  await assert.rejects(entry.load(), (e: unknown) => isWaddleError(e) && e.code === 'WB_MODULE_NOT_AVAILABLE')
})
