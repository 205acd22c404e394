/**
 * Test support for the memories tests (not used at run time): a project on a backend, and runtimes started on
 * it: the router alone, or memories alone (as separate processes would be), sharing one fake clock, the
 * database, the service key and the port offset. Pushed chat lines are collected from the router's cache.
 */
import { writeFileSync } from 'node:fs'
import type { Backend } from '../../../test/helpers/backends.js'
import { freeOffset } from '../../../test/helpers/cli.js'
import { type FakeClock, fakeClock } from '../../../test/helpers/fake-clock.js'
import { chatEvent } from '../../../test/helpers/router-runtime.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { loadSettings, type Settings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import type { Catalog } from '../../runtime/registry.js'
import { builtinCatalog } from '../catalog.js'
import routerModule from '../router/index.js'
import type { Scheduler } from '../../runtime/scheduler/index.js'
import type { MemoriesState } from './context.js'
import { createMemoriesModule } from './index.js'

export interface Pushed {
  readonly entity_id: string
  readonly text: string
}

export interface MemoriesFixture {
  readonly clock: FakeClock
  readonly settings: Settings
  readonly router: Runtime
  readonly routerUrl: string
  readonly keys: { collector: string; admin: string }
  /** The memories runtimes started so far (the first one listens), in order. */
  readonly memories: Runtime[]
  /** Chat lines announced to channels, in order. */
  readonly pushed: Pushed[]
  /** Starts one more memories "process" (listen false: it only runs its scheduler). */
  startMemories(listen: boolean): Promise<Runtime>
  /** A chat line through the router as `user` with `roles`; the event result, once observers have it. */
  say(text: string, user?: string, roles?: string[], channel?: string): Promise<{ outcome: string; text: string }>
  close(): Promise<void>
}

const YAML = `modules:
  memories:
    poll_ms: 60000
    timer_min_minutes: 1
    timer_min_lines: 3
    max_reminders_per_user: 3
`

/** A project on `backend` with memories (listening) then the router started, in that order. */
export async function startMemoriesFixture(backend: Backend): Promise<MemoriesFixture> {
  const offset = await freeOffset([8000, 8027, 8031])
  const env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(offset) }
  const project: TestProject = testProject({ env })
  writeFileSync(`${project.dir}/waddlebot.yaml`, YAML)
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const clock = fakeClock(Date.now())
  const catalog: Catalog = builtinCatalog.map((m) =>
    m.name === 'memories' ? { ...m, load: async () => createMemoriesModule({ clock }) } : m,
  )
  const runtimes: Runtime[] = []
  const startMemories = async (listen: boolean) => {
    const r = await startRuntime({ catalog, settings, modules: ['memories'], listen })
    runtimes.push(r)
    return r
  }
  // memories first: the router's command index, read at its start, then knows its commands on every backend.
  await startMemories(true)
  const router = await startRuntime({ catalog, settings, modules: ['router'], listen: true })
  const pushed: Pushed[] = []
  await router.cache.subscribe('responses', (m) => {
    const msg = m as { entity_id: string; module?: string; responses: { type: string; text?: string }[] }
    if (msg.module !== 'memories') return
    for (const r of msg.responses)
      if (r.type === 'chat' && r.text) pushed.push({ entity_id: msg.entity_id, text: r.text })
  })
  const keys = {
    collector: (await createApiKey(router.storage, 'c', 'collector')).key,
    admin: (await createApiKey(router.storage, 'a', 'admin')).key,
  }
  const app = router.hosted[0]!.app
  return {
    clock,
    settings,
    router,
    routerUrl: router.registry.urlOf('router'),
    keys,
    pushed,
    memories: runtimes,
    startMemories,
    async say(text, user = 'Ann', roles = [], channel = 'c') {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: chatEvent(text, { user_id: `id-${user.toLowerCase()}`, user_name: user, roles, channel_id: channel }),
        headers: { 'x-api-key': keys.collector },
      })
      // Plain chat reaches memories' observer in a batch a few milliseconds later: wait for it here.
      await router.module(routerModule).ctx.state.pipeline.observers.drain()
      const body = res.json() as { outcome: string; responses: { text?: string }[] }
      return { outcome: body.outcome, text: body.responses.map((r) => r.text ?? '').join('\n') }
    },
    async close() {
      for (const r of [...runtimes].reverse()) await r.stop().catch(() => {})
      await router.stop()
      await backend.cleanup()
      project.cleanup()
    },
  }
}

/** The scheduler of a memories runtime's module. */
export function schedulerOf(runtime: Runtime): Scheduler {
  const hosted = runtime.hosted.find((h) => h.def.name === 'memories')
  if (!hosted) throw new Error('no memories module in this runtime')
  return (hosted.ctx.state as MemoriesState).scheduler
}

/** Waits (real time, at most 5 s) for `check`; throws naming `what`. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`gave up waiting for ${what}`)
}
