/**
 * Test support for the labels and reputation modules: router + labels + reputation hosted on one backend,
 * listening (labels asks reputation over HTTP), with a clock the test moves by hand. Events go through the
 * router's POST /api/v1/events; module routes are called with app.inject.
 */
import { writeFileSync } from 'node:fs'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type HostedModule, type Runtime, startRuntime } from '../../src/runtime/host.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { createLabelsModule } from '../../src/modules/labels/index.js'
import { createReputationModule } from '../../src/modules/reputation/index.js'
import type { LabelStore } from '../../src/modules/labels/store.js'
import type { ReputationService } from '../../src/modules/reputation/service.js'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { testProject, type TestProject } from './settings.js'

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of test requests
type Json = any

export interface Viewer {
  readonly user_id: string
  readonly user_name: string
  readonly display_name?: string
  readonly roles?: readonly string[]
  readonly platform?: string
}

export interface PeopleFixture {
  readonly runtime: Runtime
  readonly clock: { now: () => number; advance(ms: number): void }
  readonly keys: { collector: string; module: string; admin: string }
  readonly labels: LabelStore
  readonly reputation: ReputationService
  /** One event through the router: chat by default, `message_type` and `metadata` for others. */
  event(viewer: Viewer, message: string, extra?: Record<string, unknown>): Promise<Json>
  /** The chat lines the router answered with. */
  say(viewer: Viewer, message: string): Promise<string[]>
  /** A request to a module's own route (service key unless `key` is given; null = no key). */
  call(
    module: 'labels' | 'reputation',
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    key?: string | null,
  ): Promise<{ statusCode: number; json(): Json }>
  close(): Promise<void>
}

export async function startPeople(
  backend: Backend,
  options: { yaml?: string; community?: string } = {},
): Promise<PeopleFixture> {
  const offset = await freeOffset([8000, 8040, 8055])
  const env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(offset), WADDLEBOT_BIND: '127.0.0.1' }
  const project: TestProject = testProject({ env })
  // Flushes happen when the test says so (or when reads need them), not on the real-time timer.
  writeFileSync(`${project.dir}/waddlebot.yaml`, options.yaml ?? 'modules:\n  reputation: {flush_ms: 60000}\n')
  let t = 1_700_000_000_000
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
  }
  const labelsDef = createLabelsModule({ now: clock.now })
  const reputationDef = createReputationModule({ now: clock.now })
  const catalog = builtinCatalog.map((m) =>
    m.name === 'labels'
      ? { ...m, load: async () => labelsDef }
      : m.name === 'reputation'
        ? { ...m, load: async () => reputationDef }
        : m,
  )
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  let runtime: Runtime
  try {
    runtime = await startRuntime({ catalog, settings, modules: ['router', 'labels', 'reputation'], listen: true })
  } catch (error) {
    await backend.cleanup()
    project.cleanup()
    throw error
  }
  const keys = {
    collector: (await createApiKey(runtime.storage, 'c', 'collector')).key,
    module: (await createApiKey(runtime.storage, 'm', 'module')).key,
    admin: (await createApiKey(runtime.storage, 'a', 'admin')).key,
  }
  const hosted = (name: string): HostedModule => runtime.hosted.find((h) => h.def.name === name)!
  const event: PeopleFixture['event'] = async (viewer, message, extra = {}) => {
    const res = await hosted('router').app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { 'x-api-key': keys.collector },
      payload: {
        platform: viewer.platform ?? 'local',
        server_id: options.community ?? 's',
        channel_id: 'c',
        user_id: viewer.user_id,
        user_name: viewer.user_name,
        ...(viewer.display_name ? { display_name: viewer.display_name } : {}),
        roles: viewer.roles ?? [],
        message,
        message_type: 'chatMessage',
        ...extra,
      },
    })
    if (res.statusCode !== 200) throw new Error(`events answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  return {
    runtime,
    clock,
    keys,
    labels: hosted('labels').ctx.state as LabelStore,
    reputation: hosted('reputation').ctx.state as ReputationService,
    event,
    async say(viewer, message) {
      const out = await event(viewer, message)
      return (out.responses as { type: string; text?: string }[]).flatMap((r) => (r.type === 'chat' ? [r.text!] : []))
    },
    call: (module, method, url, body, key) =>
      hosted(module).app.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
        headers: key === null ? {} : { 'x-service-key': key ?? runtime.serviceKey },
      }) as never,
    async close() {
      await runtime.stop()
      await backend.cleanup()
      project.cleanup()
    },
  }
}
