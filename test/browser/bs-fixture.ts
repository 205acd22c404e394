/** A browser-source runtime on a backend, listening on free ports, for the module and fan-out tests. */
import { randomUUID } from 'node:crypto'
import type { BrowserSource } from '../../src/modules/browser-source/routes.js'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import type { Backend } from '../helpers/backends.js'
import { freeOffset } from '../helpers/cli.js'
import { testProject } from '../helpers/settings.js'
import { OverlayClient } from './ws-client.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import browserSourceModule from '../../src/modules/browser-source/index.js'

// biome-ignore lint/suspicious/noExplicitAny: response bodies of every shape, read by tests
type Json = any

export interface BrowserSourceFixture {
  readonly runtime: Runtime
  readonly bs: BrowserSource
  /** http://127.0.0.1:<port> */
  readonly url: string
  readonly keys: { collector: string; module: string; admin: string }
  /** POSTs JSON to the module (default key: the service key; null = no key). */
  post(path: string, body: unknown, key?: string | null): Promise<{ status: number; json: Json }>
  /** GETs from the module (same keys as `post`); `json` is undefined when the body is not JSON. */
  get(path: string, key?: string | null): Promise<{ status: number; json: Json; text: string; headers: Headers }>
  /** Opens an overlay socket for `token`/`type`. */
  connect(token: string, type: string, options?: import('ws').ClientOptions): Promise<OverlayClient>
  /** A community id no other test (or test file sharing Redis) uses. */
  community(): string
  close(): Promise<void>
}

/** Starts browser-source alone. `shared` reuses another fixture's env (same database and Redis). */
export async function startBrowserSource(
  backend: Backend,
  options: { env?: Record<string, string>; yaml?: string } = {},
): Promise<BrowserSourceFixture & { env: Record<string, string> }> {
  const offset = await freeOffset([8027])
  const baseEnv = options.env ?? (await backend.env())
  const env = { ...baseEnv, WADDLEBOT_PORT_OFFSET: String(offset) }
  const project = testProject({ env, ...(options.yaml === undefined ? {} : { yaml: options.yaml }) })
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['browser-source'] })
  const hosted = runtime.hosted[0]!
  const keys = {
    collector: (await createApiKey(runtime.storage, 'c', 'collector')).key,
    module: (await createApiKey(runtime.storage, 'm', 'module')).key,
    admin: (await createApiKey(runtime.storage, 'a', 'admin')).key,
  }
  const url = `http://127.0.0.1:${hosted.port}`
  const headersFor = (key: string | null | undefined): Record<string, string> =>
    key === null ? {} : { 'x-api-key': key ?? runtime.serviceKey }
  const clients: OverlayClient[] = []
  return {
    runtime,
    url,
    keys,
    env: baseEnv,
    bs: runtime.module(browserSourceModule).ctx.state,
    async post(path, body, key) {
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headersFor(key) },
        body: JSON.stringify(body),
      })
      return { status: res.status, json: (await res.json()) as Json }
    },
    async get(path, key) {
      const res = await fetch(url + path, { headers: headersFor(key) })
      const text = await res.text()
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {}
      return { status: res.status, json: json as Json, text, headers: res.headers }
    },
    async connect(token, type, options) {
      const client = await OverlayClient.open(`ws://127.0.0.1:${hosted.port}/browser/source/${token}/${type}`, options)
      clients.push(client)
      return client
    },
    community: () => `test-${randomUUID().slice(0, 12)}`,
    async close() {
      await Promise.allSettled(clients.map((c) => c.close()))
      await runtime.stop()
      if (!options.env) await backend.cleanup()
      project.cleanup()
    },
  }
}
