/** A router runtime (with the sample module) on a backend, for router tests. */
import { writeFileSync } from 'node:fs'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { SAMPLE_MODULE, writeModule } from './fixture-modules.js'
import { testProject } from './settings.js'
import { builtinCatalog } from '../../src/modules/catalog.js'

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of test requests
type Json = any

export interface RouterFixture {
  readonly runtime: Runtime
  readonly offset: number
  readonly keys: { collector: string; module: string; admin: string }
  post(
    url: string,
    body: unknown,
    key?: string,
    method?: 'POST' | 'PUT' | 'DELETE',
  ): Promise<{ statusCode: number; json(): Json; body: string }>
  event(message: string, extra?: Record<string, unknown>): Promise<Json>
  close(): Promise<void>
}

export const chatEvent = (message: string, extra: Record<string, unknown> = {}) => ({
  platform: 'local',
  server_id: 's',
  channel_id: 'c',
  user_id: 'u',
  user_name: 'Ann',
  message,
  message_type: 'chatMessage',
  ...extra,
})

export async function startRouterFixture(
  backend: Backend,
  options: { listen?: boolean; env?: Record<string, string> } = {},
): Promise<RouterFixture> {
  const offset = await freeOffset([8000, 8027, 8100])
  const env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(offset), ...options.env }
  const project = testProject({ env })
  const greeter = writeModule(project.dir, 'greeter', SAMPLE_MODULE('greeter', 8100))
  writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  greeter: {path: ${greeter}, port: 8100}\n`)
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const runtime = await startRuntime({
    catalog: builtinCatalog,
    settings,
    modules: ['router', 'greeter'],
    listen: options.listen ?? false,
  })
  const keys = {
    collector: (await createApiKey(runtime.storage, 'c', 'collector')).key,
    module: (await createApiKey(runtime.storage, 'm', 'module')).key,
    admin: (await createApiKey(runtime.storage, 'a', 'admin')).key,
  }
  const app = runtime.hosted.find((h) => h.def.name === 'router')!.app
  const post: RouterFixture['post'] = (url, body, key = keys.collector, method = 'POST') =>
    app.inject({ method, url, payload: body as object, headers: { 'x-api-key': key } }) as never
  return {
    runtime,
    offset,
    keys,
    post,
    event: async (message, extra) => (await post('/api/v1/events', chatEvent(message, extra))).json(),
    async close() {
      await runtime.stop()
      await backend.cleanup()
      project.cleanup()
    },
  }
}
