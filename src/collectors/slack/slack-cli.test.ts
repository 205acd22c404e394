/**
 * Acceptance as deployed: `waddlebot run router` and `waddlebot run collector slack` as two processes of
 * one project (port 8004 + offset), the collector pointed at the fake Slack by SLACK_API_URL. A signed
 * `!ping` on the collector's own port comes back as chat.postMessage `pong`; a SIGTERM releases the claims.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { messageEvent, postSigned } from '../../../test/fakes/slack/events.js'
import { type FakeSlack, startFakeSlack } from '../../../test/fakes/slack/web-api.js'
import { exited, freeOffset, spawnCli, waitForHealth } from '../../../test/helpers/cli.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'

describe('waddlebot run collector slack (two processes)', () => {
  let fake: FakeSlack
  let project: TestProject
  let router: ReturnType<typeof spawnCli>
  let slack: ReturnType<typeof spawnCli>
  let routerUrl: string
  let slackUrl: string
  const secret = 'cli-signing-secret'

  before(async () => {
    fake = await startFakeSlack({ botToken: 'xoxb-cli' })
    const offset = await freeOffset([8000, 8004])
    project = testProject()
    const env = {
      WADDLEBOT_PORT_OFFSET: String(offset),
      WADDLEBOT_SERVICE_KEY: `svc-slack-${process.pid}`,
      WADDLEBOT_LOG_LEVEL: 'warn',
      SLACK_CHANNELS: 'T1/C1',
      SLACK_BOT_TOKEN: 'xoxb-cli',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: fake.apiUrl,
      WADDLEBOT_SLACK_API_RETRIES: '0',
    }
    routerUrl = `http://127.0.0.1:${8000 + offset}`
    slackUrl = `http://127.0.0.1:${8004 + offset}`
    router = spawnCli(['run', 'router'], { cwd: project.dir, env })
    await waitForHealth(routerUrl, 60_000, router)
    slack = spawnCli(['run', 'collector', 'slack'], { cwd: project.dir, env })
    await waitForHealth(slackUrl, 60_000, slack)
    const started = Date.now()
    for (;;) {
      const status = (await (await fetch(`${slackUrl}/slack/status`)).json()) as { chat: string; claims: string[] }
      if (status.chat === 'connected' && status.claims.includes('slack:T1:C1')) break
      if (Date.now() - started > 30_000)
        throw new Error(`collector not ready: ${JSON.stringify(status)}\n${slack.output()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  })
  after(async () => {
    for (const child of [slack, router]) {
      if (!child || child.exitCode !== null) continue
      child.kill('SIGTERM')
      await exited(child).catch(() => child.kill('SIGKILL'))
    }
    await fake?.close()
    project?.cleanup()
  })

  test('a signed !ping on port 8004+offset is answered with pong through the router process', async () => {
    const res = await postSigned(`${slackUrl}/slack/events`, secret, messageEvent({ channel: 'C1', text: '!ping' }))
    assert.equal(res.status, 200)
    const call = await fake.waitFor('chat.postMessage', (c) => c.params.text === 'pong', 15_000)
    assert.equal(call.params.channel, 'C1')
    assert.equal(call.token, 'xoxb-cli')
  })

  test('SIGTERM stops the collector and releases its claims at the router', async () => {
    const stats = async () => {
      const res = await fetch(`${routerUrl}/coordination/stats`, {
        headers: { 'x-api-key': `svc-slack-${process.pid}` },
      })
      assert.equal(res.status, 200)
      return (await res.json()) as {
        by_platform: Record<string, { total: number; claimed: number }>
        containers: Record<string, number>
      }
    }
    const before = await stats()
    assert.deepEqual([before.by_platform.slack?.total, before.by_platform.slack?.claimed], [1, 1])
    slack.kill('SIGTERM')
    assert.equal(await exited(slack, 15_000), 0)
    const afterStop = await stats()
    assert.equal(afterStop.by_platform.slack?.claimed, 0)
    assert.deepEqual(afterStop.containers, {})
  })
})
