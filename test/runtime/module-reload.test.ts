/** Runtime.reload in process: a new version replaces the old one; any failure keeps the old one answering. */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { writeModule } from '../helpers/fixture-modules.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const version = (word: string, extra = '') => `
globalThis.__reloadLog ??= []
export default {
  name: 'echo', version: '1.0.0', kind: 'interaction', summary: 'echo',
  setup: () => { ${extra} globalThis.__reloadLog.push('setup ${word}'); return { word: '${word}' } },
  teardown: (ctx) => { globalThis.__reloadLog.push('teardown ' + ctx.state.word) },
  commands: [{ name: 'echo', summary: 'echo', run: (ctx) => ctx.state.word }],
}
`
const log = () => (globalThis as unknown as { __reloadLog: string[] }).__reloadLog

describe('Runtime.reload', () => {
  let project: TestProject
  let runtime: Runtime
  let dir: string
  const say = async (message: string) => {
    const router = runtime.hosted.find((h) => h.def.name === 'router')!.app
    const res = await router.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'x-service-key': runtime.serviceKey },
      payload: {
        platform: 'local',
        server_id: 's',
        channel_id: 'c',
        user_id: 'u',
        user_name: 'A',
        message,
        message_type: 'chatMessage',
      },
    })
    return (res.json() as { responses: { text?: string }[] }).responses.map((r) => r.text)
  }
  const save = (source: string) => writeFileSync(join(dir, 'index.ts'), source)

  before(async () => {
    project = testProject({ env: { DATABASE_URL: 'sqlite::memory:' } })
    const rel = writeModule(project.dir, 'echo', version('one'))
    dir = join(project.dir, rel)
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n') // as `module new` writes it
    writeFileSync(join(project.dir, 'waddlebot.yaml'), `modules:\n  echo: {path: ${rel}}\n`)
    const settings = loadSettings({ cwd: project.dir, env: project.settings.env })
    runtime = await startRuntime({ settings, catalog: builtinCatalog, modules: ['router', 'echo'], listen: false })
  })
  after(async () => {
    await runtime.stop()
    project.cleanup()
  })

  test('the edited file is read again: old teardown, new setup, new answer', async () => {
    assert.deepEqual(await say('!echo'), ['one'])
    save(version('two'))
    const h = await runtime.reload('echo')
    assert.equal(h.ctx.state.word, 'two')
    assert.deepEqual(log().slice(-2), ['teardown one', 'setup two'])
    assert.deepEqual(await say('!echo'), ['two'])
  })

  test('a compile error, a collision or a throwing setup is refused; the previous version keeps answering', async () => {
    save(`${version('three')}\n export default ,`)
    await assert.rejects(runtime.reload('echo'), /WB_MODULE_RELOAD_FAILED|was not reloaded: .*index\.ts:\d+/)
    save(version('four').replace("name: 'echo', summary: 'echo'", "name: 'ping', summary: 'ping'"))
    await assert.rejects(runtime.reload('echo'), /was not reloaded: .*!ping/)
    assert.deepEqual(await say('!echo'), ['two'])
    save(version('five', "throw new Error('no token');"))
    await assert.rejects(runtime.reload('echo'), /was not reloaded: its setup failed: no token/)
    assert.deepEqual(log().slice(-2), ['teardown two', 'setup two'], 'the previous version is set up again')
    assert.deepEqual(await say('!echo'), ['two'])
  })

  test('a built-in module is not reloaded', async () => {
    await assert.rejects(runtime.reload('router'), /module router was not reloaded: it is a built-in module/)
  })
})
