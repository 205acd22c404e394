/**
 * Test support for the Slack collector tests (not used at run time): a real router + the Slack collector +
 * a small `tools` module in one runtime (listening on a free port offset), pointed at the fake Slack of
 * test/fakes/slack, with every event the collector forwards and every event the router processed recorded.
 */
import { writeFileSync } from 'node:fs'
import type { Backend } from './backends.js'
import { freeOffset } from './cli.js'
import { writeModule } from './fixture-modules.js'
import { type TestProject, testProject } from './settings.js'
import { type FakeSlack, startFakeSlack } from '../fakes/slack/web-api.js'
import type { InboundEvent } from '../../src/contract/events.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import type { CollectorHandle } from '../../src/collectors/core/collector-module.js'
import { slackHooks } from '../../src/collectors/slack/collector.js'
import type { SlackOp } from '../../src/collectors/slack/sender.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import routerModule from '../../src/modules/router/index.js'
import slackModule from '../../src/collectors/slack/index.js'

export const SIGNING_SECRET = 'test-signing-secret'
export const BOT_TOKEN = 'xoxb-fake'
export const APP_TOKEN = 'xapp-fake'

/** Words of the long reply: multi-byte letters, emoji (a ZWJ family, a flag), CJK, and `<`/`&` to escape. */
export const LONG_WORDS = ['héllo', '🦆', '世界', 'naïve', '👩‍👩‍👧', '🇫🇷', 'ok<3', 'a&b', 'waddle'] as const
/** ≈ 85,000 characters: three Slack messages of ≤ 40,000, each in section blocks of ≤ 3,000. */
export const LONG_TEXT = Array.from({ length: 16_000 }, (_, i) => LONG_WORDS[i % LONG_WORDS.length]).join(' ')

const TOOLS = (port: number) => `
const LONG = ${JSON.stringify(LONG_TEXT)}
export default {
  name: 'tools', version: '1.0.0', kind: 'interaction', summary: 'slack test tools', port: ${port},
  commands: [
    { name: 'long', summary: 'A long reply', run: () => LONG },
    { name: 'zap', summary: 'Deletes the message', run: () => [{ type: 'moderation', action: 'delete', reason: 'spam' }, 'zapped'] },
    { name: 'hush', summary: 'Times out', run: () => [{ type: 'moderation', action: 'timeout', reason: 'calm down', duration: 60 }] },
    { name: 'whisper', summary: 'Ephemeral', run: () => ({ type: 'chat', text: 'psst', ephemeral: true }) },
    { name: 'survey', summary: 'A form', run: () => ({ type: 'form', title: 'Survey', fields: [{ name: 'color', label: 'Colour', type: 'select', required: true, options: ['red', 'blue'] }] }) },
  ],
}
`

export interface SlackFixture {
  readonly fake: FakeSlack
  readonly runtime: Runtime
  readonly handle: CollectorHandle<SlackOp>
  /** `http://127.0.0.1:<8004+offset>` */
  readonly url: string
  /** Events the collector handed to the router. */
  readonly forwarded: InboundEvent[]
  /** Events the router processed (from its activity feed): message type + channel + user. */
  readonly routerSeen: { channel_id: string; message_type: string; user: string }[]
  /** Event ids refused as duplicates. */
  readonly duplicates: string[]
  /** Resolves once `eventId` was refused as a duplicate. */
  duplicateSeen(eventId: string, timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * Starts the fake Slack and a runtime with router + slack + tools on `backend`. `socketMode` adds
 * SLACK_APP_TOKEN; `signingSecret: false` leaves SLACK_SIGNING_SECRET unset; `botToken: false` leaves
 * SLACK_BOT_TOKEN unset (webhook only: no claims, chat not connected).
 */
export async function startSlackFixture(
  backend: Backend,
  options: { socketMode?: boolean; signingSecret?: boolean; botToken?: boolean; channels?: string } = {},
): Promise<SlackFixture> {
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN })
  const offset = await freeOffset([8000, 8004, 8027, 8100])
  let project: TestProject | undefined
  let runtime: Runtime | undefined
  try {
    const env: Record<string, string> = {
      ...(await backend.env()),
      WADDLEBOT_PORT_OFFSET: String(offset),
      SLACK_API_URL: fake.apiUrl,
      SLACK_CHANNELS: options.channels ?? 'T1/C1,T1/C2',
      WADDLEBOT_SLACK_API_RETRIES: '0',
      WADDLEBOT_LOG_LEVEL: process.env.SLACK_TEST_LOG ?? 'silent',
      ...(options.botToken === false ? {} : { SLACK_BOT_TOKEN: BOT_TOKEN }),
      ...(options.signingSecret === false ? {} : { SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      ...(options.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN } : {}),
    }
    project = testProject({ env })
    const tools = writeModule(project.dir, 'tools', TOOLS(8100))
    writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  tools: {path: ${tools}, port: 8100}\n`)
    const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
    const forwarded: InboundEvent[] = []
    const duplicates: string[] = []
    slackHooks.onForward = (e) => forwarded.push(e)
    slackHooks.onDuplicate = (id) => duplicates.push(id)
    runtime = await startRuntime({ catalog: builtinCatalog, settings, modules: ['router', 'slack', 'tools'] })
    const routerSeen: SlackFixture['routerSeen'] = []
    runtime
      .module(routerModule)
      .ctx.state.pipeline.activity.on('processed', (p) =>
        routerSeen.push({ channel_id: p.channel_id, message_type: p.message_type, user: p.user }),
      )
    const hosted = runtime.hosted.find((h) => h.def.name === 'slack')!
    const { handle } = runtime.module(slackModule).ctx.state
    if (options.botToken !== false) {
      await until(() => handle.status().chat === 'connected', 'slack chat connected')
      const wanted = (options.channels ?? 'T1/C1,T1/C2').split(',').length
      await until(() => handle.status().claims.length >= wanted, 'slack claims')
    }
    const rt = runtime
    const p = project
    return {
      fake,
      runtime: rt,
      handle,
      url: hosted.url,
      forwarded,
      routerSeen,
      duplicates,
      duplicateSeen: (eventId, timeoutMs = 5000) =>
        until(() => duplicates.includes(eventId), `duplicate ${eventId}`, timeoutMs),
      async close() {
        slackHooks.onForward = undefined
        slackHooks.onDuplicate = undefined
        await rt.stop()
        await fake.close()
        await backend.cleanup()
        p.cleanup()
      },
    }
  } catch (error) {
    await runtime?.stop().catch(() => {})
    await fake.close()
    await backend.cleanup()
    project?.cleanup()
    throw error
  }
}
