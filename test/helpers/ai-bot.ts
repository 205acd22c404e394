/**
 * A bot hosting the router and the ai module (ports bound: the ai module answers through the router's
 * `POST /api/v1/responses` over HTTP), for the ai tests and benchmark. Late answers are collected from the
 * cache channel `responses`, by session.
 */
import { writeFileSync } from 'node:fs'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { freeOffset } from './cli.js'
import { chatEvent } from './router-runtime.js'
import { type TestProject, testProject } from './settings.js'

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of test requests
type Json = any

export interface Published {
  readonly entity_id: string
  readonly session_id: string
  readonly responses: readonly { type: string; text?: string }[]
}

export interface AiBot {
  readonly runtime: Runtime
  readonly project: TestProject
  /** Every late reply published on `responses` (by any process sharing the cache). */
  readonly published: Published[]
  /** POST /api/v1/events with a chat message (chatEvent defaults overridden by `extra`). */
  chat(message: string, extra?: Record<string, unknown>): Promise<Json>
  /** POST /api/v1/events with any event body. */
  event(body: Record<string, unknown>): Promise<Json>
  /** The chat text of the late reply to `sessionId` (waits up to `ms`, 10 s by default). */
  lateReply(sessionId: string, ms?: number): Promise<string>
  /** Lets every answer in flight finish. */
  settle(): Promise<void>
  close(): Promise<void>
}

export async function startAiBot(options: { env: Record<string, string>; yaml: string }): Promise<AiBot> {
  const offset = await freeOffset([8000, 8005])
  const env = { ...options.env, WADDLEBOT_PORT_OFFSET: String(offset) }
  const project = testProject({ env })
  writeFileSync(`${project.dir}/waddlebot.yaml`, options.yaml)
  const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
  const runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router', 'ai'] })
  const key = (await createApiKey(runtime.storage, 'collector', 'collector')).key
  const published: Published[] = []
  const unsubscribe = await runtime.cache.subscribe('responses', (m) => published.push(m as Published))
  const router = runtime.hosted.find((h) => h.def.name === 'router')!.app
  const ai = runtime.hosted.find((h) => h.def.name === 'ai')!
  const event = async (body: Record<string, unknown>) => {
    const res = await router.inject({
      method: 'POST',
      url: '/api/v1/events',
      payload: body,
      headers: { 'x-api-key': key },
    })
    if (res.statusCode !== 200) throw new Error(`events answered ${res.statusCode}: ${res.body}`)
    return res.json()
  }
  return {
    runtime,
    project,
    published,
    event,
    chat: (message, extra) => event(chatEvent(message, extra)),
    async lateReply(sessionId, ms = 10_000) {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        const hit = published.find((p) => p.session_id === sessionId)
        if (hit) return hit.responses.map((r) => r.text ?? `[${r.type}]`).join('\n')
        await new Promise((r) => setTimeout(r, 10))
      }
      throw new Error(`no late reply for session ${sessionId} within ${ms} ms`)
    },
    async settle() {
      await Promise.allSettled([...(ai.ctx.state as { jobs: Set<Promise<void>> }).jobs])
    },
    async close() {
      await unsubscribe()
      await runtime.stop()
      project.cleanup()
    },
  }
}
