/**
 * `!so` end to end in a real browser: a moderator's `!so @StreamerX` in a Twitch chat goes through the router
 * to the shoutout module (which asks the fake Helix), the chat line comes back, and the router's `general`
 * response reaches browser-source: the OBS overlay page (headless Chromium) shows the card (avatar loaded,
 * name, game) with the clip's player running in its frame; an overlay opened with `?autoplay=0` shows the
 * clip's thumbnail instead.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { BrowserSource } from '../../src/modules/browser-source/routes.js'
import browserSourceModule from '../../src/modules/browser-source/index.js'
import { builtinCatalog } from '../../src/modules/catalog.js'
import { createApiKey } from '../../src/runtime/api-keys.js'
import { loadSettings } from '../../src/runtime/config.js'
import { type Runtime, startRuntime } from '../../src/runtime/host.js'
import { sql } from '../../src/runtime/storage/sql.js'
import { type FakeHelix, startFakeHelix, twitchIdOf } from '../fakes/twitch/index.js'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { freeOffset } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'
import { chromiumMissing, launchChromium } from './chromium.js'

const missing = chromiumMissing()
const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), missing],
  [postgresRedisBackend(), missing ?? unavailable],
]

if (missing && process.env.CI === 'true') {
  test('Chromium is required when CI=true', () => {
    throw new Error(`${missing} (CI=true: the browser tests must run)`)
  })
}

let browser: Browser | undefined
after(() => browser?.close())

for (const [backend, skip] of backends) {
  describe(`the !so card in headless Chromium on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let runtime: Runtime
    let helix: FakeHelix
    let bs: BrowserSource
    let routerUrl: string
    let collectorKey: string
    const community = `so-${randomUUID().slice(0, 8)}`
    const channel = `chan${randomUUID().slice(0, 8)}`
    const pages: Page[] = []

    before(async () => {
      browser ??= await launchChromium()
      helix = await startFakeHelix({
        clientId: 'cid',
        token: 'bot-token',
        users: [channel],
        channels: {
          streamerx: { game_name: 'Celeste', title: 'Any% practice' },
          raider_z: { game_name: 'Hades', title: 'raiding' },
        },
        clips: {
          streamerx: [{ id: 'clip-top', title: 'the jump', view_count: 50, created_at: Date.now() - 86_400_000 }],
        },
      })
      const offset = await freeOffset([8000, 8020, 8027])
      const env = {
        ...(await backend.env()),
        WADDLEBOT_PORT_OFFSET: String(offset),
        TWITCH_CLIENT_ID: 'cid',
        TWITCH_BOT_TOKEN: 'bot-token',
        TWITCH_API_URL: helix.url,
        TWITCH_AUTH_URL: helix.authUrl,
      }
      project = testProject({ env })
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      runtime = await startRuntime({
        catalog: builtinCatalog,
        settings,
        modules: ['router', 'browser-source', 'shoutout'],
      })
      bs = runtime.module(browserSourceModule).ctx.state
      routerUrl = runtime.registry.urlOf('router')
      collectorKey = (await createApiKey(runtime.storage, 'collector', 'collector')).key
      await runtime.storage.execute(
        sql`insert into entities (entity_id, platform, server_id, channel_id, community_id) values (${`twitch:${channel}:${channel}`}, 'twitch', ${channel}, ${channel}, ${community})`,
      )
    })
    after(async () => {
      await Promise.allSettled(pages.map((p) => p.close()))
      await runtime?.stop()
      await helix?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    const post = async (event: Record<string, unknown>) => {
      const res = await fetch(`${routerUrl}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': collectorKey },
        body: JSON.stringify({ platform: 'twitch', server_id: channel, channel_id: channel, ...event }),
      })
      assert.equal(res.status, 200)
      return (await res.json()) as { outcome: string; responses: { type: string; text?: string }[] }
    }

    async function openGeneral(query = ''): Promise<Page> {
      const tokens = await bs.tokens.ensureTokens(community)
      const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } })
      pages.push(page)
      await page.goto(`${bs.baseUrl}/browser/source/${tokens.general}/general${query}`)
      await page.waitForSelector('html[data-connection="open"]', { timeout: 5000 })
      return page
    }

    test('!so @StreamerX: the chat line names the game; the overlay shows avatar, name, game and plays the clip', async () => {
      const page = await openGeneral()
      const body = await post({
        user_id: '42',
        user_name: 'modmin',
        roles: ['moderator'],
        message: '!so @StreamerX',
        message_type: 'chatMessage',
      })
      assert.equal(body.outcome, 'command', JSON.stringify(body))
      assert.equal(
        body.responses[0]?.text,
        'Go check out streamerx! They were last seen playing Celeste: https://twitch.tv/streamerx',
      )
      assert.equal(helix.creators.shoutouts[0]?.to, twitchIdOf('streamerx'), "Twitch's own /shoutout went out")

      await page.waitForFunction(
        () => {
          const panel = document.getElementById('panel')!
          const avatar = panel.querySelector<HTMLImageElement>('img.avatar')
          return (
            panel.classList.contains('visible') &&
            panel.querySelector('.name')?.textContent === 'streamerx' &&
            avatar?.complete === true &&
            avatar.naturalWidth > 0 &&
            panel.querySelector('#clip-player') !== null
          )
        },
        undefined,
        { timeout: 5000 },
      )
      assert.equal(await page.textContent('#panel .game'), 'Playing Celeste')
      const src = new URL((await page.getAttribute('#clip-player', 'src'))!)
      assert.equal(src.searchParams.get('clip'), 'clip-top')
      assert.equal(src.searchParams.get('autoplay'), 'true')
      assert.equal(src.searchParams.get('parent'), '127.0.0.1')
      // The player's page itself loaded inside the card (the CSP lets the clip frame in).
      const frame = await (await page.$('#clip-player'))!.contentFrame()
      await frame!.waitForSelector('body[data-clip="clip-top"]', { timeout: 5000 })
      assert.equal(await frame!.textContent('body'), 'playing clip-top')

      // An overlay that may not autoplay shows the clip's thumbnail (the card arrives as current state).
      const still = await openGeneral('?autoplay=0')
      await still.waitForFunction(
        () => {
          const thumb = document.querySelector<HTMLImageElement>('#clip-thumbnail')
          return thumb?.complete === true && thumb.naturalWidth > 0 && document.querySelector('#clip-player') === null
        },
        undefined,
        { timeout: 5000 },
      )
    })

    test('a raid through the router shouts the raider out: the line and the card; a second raid within the hour does not', async () => {
      const viewerLine = await post({
        user_id: '7',
        user_name: 'viewer',
        message: '!so streamerx',
        message_type: 'chatMessage',
      })
      assert.equal(viewerLine.outcome, 'forbidden', 'viewers may not !so')
      const page = await openGeneral()
      const raid = {
        user_id: twitchIdOf('raider_z'),
        user_name: 'raider_z',
        message_type: 'raid',
        metadata: { viewers: 12 },
      }
      const first = await post(raid)
      assert.equal(first.outcome, 'event', JSON.stringify(first))
      assert.equal(
        first.responses[0]?.text,
        'Go check out raider_z! They were last seen playing Hades: https://twitch.tv/raider_z',
      )
      await page.waitForFunction(() => document.querySelector('#panel .name')?.textContent === 'raider_z', undefined, {
        timeout: 5000,
      })
      const again = await post(raid)
      assert.deepEqual(again.responses, [])
    })
  })
}
