/**
 * Acceptance: two Twitch collector processes share 10 channels through coordination, without overlap,
 * and their JOINs at the fake IRC server follow their claims. One is `waddlebot run collector twitch` in a
 * child process, the other a runtime hosting only `twitch` here; the router is a third runtime; all share
 * one database (the same SQLite file, or Postgres). The child is killed (no release): after the shortened
 * claim expiry its channels move to the survivor, which joins them. On Redis, an EventSub message id sent
 * to both processes is processed once.
 */
import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  eventSubEvents,
  type FakeTwitchIrc,
  sendEventSub,
  startFakeTwitchIrc,
  twitchIdOf,
} from '../../../test/fakes/twitch/index.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { exited, freeOffset, spawnCli, waitForHealth } from '../../../test/helpers/cli.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import type { ProcessedSummary } from '../../contract/stream.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { eventually } from '../../../test/helpers/twitch-harness.js'
import { builtinCatalog } from '../../modules/catalog.js'
import routerModule from '../../modules/router/index.js'
import twitchModule from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const SECRET = 'scaling-secret'

for (const [backend, skip] of backends) {
  describe(`two Twitch collector processes on ${backend.name}`, { skip, timeout: 90_000 }, () => {
    const prefix = `s${randomBytes(3).toString('hex')}`
    const channels = Array.from({ length: 10 }, (_, i) => `${prefix}c${i}`)
    let irc: FakeTwitchIrc
    let project: TestProject
    let router: Runtime
    let survivor: Runtime | undefined
    let child: ReturnType<typeof spawnCli> | undefined
    let base: Record<string, string>
    let childUrl: string
    const processed: ProcessedSummary[] = []
    const overlaps: string[] = []
    let monitor: ReturnType<typeof setInterval> | undefined

    const collectorEnv = (offset: number, bot: string, maxClaims: number) => ({
      ...base,
      WADDLEBOT_PORT_OFFSET: String(offset),
      TWITCH_BOT_USERNAME: bot,
      WADDLEBOT_TWITCH_MAX_CLAIMS: String(maxClaims),
    })
    const claimsOf = async () => {
      const rows = await router.storage.query<{
        entity_id: string
        claimed_by: string | null
        claim_expires: number | null
      }>(sql`select entity_id, claimed_by, claim_expires from coordination where platform = 'twitch'`)
      return new Map(
        rows.map((r) => [
          r.entity_id.split(':')[1]!,
          r.claim_expires !== null && Number(r.claim_expires) > Date.now() ? r.claimed_by : null,
        ]),
      )
    }

    before(async () => {
      irc = await startFakeTwitchIrc()
      const offsets = new Set<number>()
      while (offsets.size < 3) offsets.add(await freeOffset([8000, 8002]))
      const [routerOffset, childOffset, localOffset] = [...offsets] as [number, number, number]
      const env = {
        ...(await backend.env()),
        WADDLEBOT_PORT_OFFSET: String(routerOffset),
        TWITCH_CHANNELS: channels.join(','),
        WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS: '1500',
      }
      project = testProject({ env })
      router = await startRuntime({
        catalog: builtinCatalog,
        settings: loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } }),
        modules: ['router'],
      })
      router.module(routerModule).ctx.state.pipeline.activity.on('processed', (s) => processed.push(s))
      base = {
        ...pickBackendEnv(env),
        WADDLEBOT_ROUTER_URL: router.registry.urlOf('router'),
        TWITCH_BOT_TOKEN: 'tok',
        TWITCH_EVENTSUB_SECRET: SECRET,
        TWITCH_IRC_URL: irc.url,
        WADDLEBOT_TWITCH_CLAIM_INTERVAL_MS: '100',
        WADDLEBOT_TWITCH_JOIN_INTERVAL_MS: '0',
        WADDLEBOT_LOG_LEVEL: 'warn',
      }
      monitor = setInterval(() => {
        const a = irc.joined('bot_a')
        for (const ch of irc.joined('bot_b')) if (a.has(ch)) overlaps.push(ch)
      }, 5)
      child = spawnCli(['run', 'collector', 'twitch'], { cwd: project.dir, env: collectorEnv(childOffset, 'bot_a', 5) })
      childUrl = `http://127.0.0.1:${8002 + childOffset}`
      await waitForHealth(childUrl, 30_000, child)
      await irc.waitFor('bot_a to join its 5 channels', () => irc.joined('bot_a').size === 5, 20_000)
      const settings = loadSettings({
        cwd: project.dir,
        env: { ...project.settings.env, ...collectorEnv(localOffset, 'bot_b', 10) },
      })
      survivor = await startRuntime({ catalog: builtinCatalog, settings, modules: ['twitch'] })
      await irc.waitFor('bot_b to join the other 5', () => irc.joined('bot_b').size === 5, 20_000)
    })
    after(async () => {
      clearInterval(monitor)
      if (child && child.exitCode === null) child.kill('SIGKILL')
      await survivor?.stop()
      await router?.stop()
      await irc?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test('10 channels split 5 / 5 without overlap; JOINs match the claims', async () => {
      const a = irc.joined('bot_a')
      const b = irc.joined('bot_b')
      assert.deepEqual([...a, ...b].sort(), [...channels].sort(), 'every channel joined once')
      const childStatus = (await (await fetch(`${childUrl}/twitch/status`)).json()) as { container_id: string }
      const localId = survivor!.module(twitchModule).ctx.state.handle.coordination.containerId
      const claims = await claimsOf()
      for (const ch of a) assert.equal(claims.get(ch), childStatus.container_id, `${ch} is claimed by the child`)
      for (const ch of b) assert.equal(claims.get(ch), localId, `${ch} is claimed by the local collector`)
      assert.deepEqual(overlaps, [])
    })

    test('on Redis, one EventSub message id sent to both processes is processed once', {
      skip: backend.name.includes('redis') ? false : 'the in-process cache is per process',
    }, async () => {
      const id = `both-${randomUUID()}`
      const m = {
        id,
        subscriptionType: 'channel.follow',
        event: eventSubEvents.follow(channels[0]!, 'ivy', twitchIdOf),
      }
      const urls = [childUrl, survivor!.registry.urlOf('twitch')]
      const statuses = await Promise.all(urls.map((u) => sendEventSub(`${u}/twitch/eventsub`, SECRET, m)))
      assert.deepEqual(
        statuses.map((s) => s.status),
        [204, 204],
      )
      await sendEventSub(`${urls[1]}/twitch/eventsub`, SECRET, {
        subscriptionType: 'channel.raid',
        event: eventSubEvents.raid(channels[0]!, 'barrier', 1, twitchIdOf),
      })
      assert.equal(processed.filter((p) => p.message_type === 'follow' && p.user === 'ivy').length, 1)
    })

    test('kill one (no release): after the claim expiry its channels move to the other, which joins them', async () => {
      child!.kill('SIGKILL')
      await exited(child!)
      await irc.waitFor('bot_a gone', () => irc.joined('bot_a').size === 0)
      await irc.waitFor('bot_b to join all 10', () => irc.joined('bot_b').size === 10, 30_000)
      assert.deepEqual([...irc.joined('bot_b')].sort(), [...channels].sort())
      const localId = survivor!.module(twitchModule).ctx.state.handle.coordination.containerId
      const claims = await claimsOf()
      for (const ch of channels) assert.equal(claims.get(ch), localId)
      assert.deepEqual(overlaps, [], 'no channel was ever joined by both')
    })

    test('a graceful stop releases every claim', async () => {
      await survivor!.stop()
      survivor = undefined
      await eventually('all released', async () => [...(await claimsOf()).values()].every((c) => c === null))
      assert.equal(irc.joined('bot_b').size, 0)
    })
  })
}

/** DATABASE_URL / REDIS_URL of the backend env, so the collectors use the router's database and cache. */
function pickBackendEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([k]) => k === 'DATABASE_URL' || k === 'REDIS_URL' || k === 'WADDLEBOT_REDIS_PREFIX'),
  )
}
