import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { testProject } from '../../../../test/helpers/settings.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Storage } from '../../../runtime/storage/types.js'
import { coordinationOptions } from './options.js'
import { entityFromEntry, seedEntitiesFromSettings } from './seed.js'
import { createCoordination } from './store.js'
import { describeOnBothDatabases } from '../../../../test/helpers/coordination/store-support.js'

const YAML = `twitch:
  channels: ['#ShroudTV', 'pokimane']
discord:
  channels: ['111/222', 'no-slash']
slack:
  enabled: false
  channels: ['T1/C1']
`

describe('entity ids from configured entries', () => {
  test('given each platform’s format, returns <platform>:<server>:<channel>', () => {
    assert.deepEqual(entityFromEntry('twitch', ' #Foo '), {
      entity_id: 'twitch:foo:foo',
      server_id: 'foo',
      channel_id: 'foo',
    })
    assert.deepEqual(entityFromEntry('discord', '1/2'), { entity_id: 'discord:1:2', server_id: '1', channel_id: '2' })
    assert.deepEqual(entityFromEntry('slack', 'T0/C9'), { entity_id: 'slack:T0:C9', server_id: 'T0', channel_id: 'C9' })
  })
  test('given a malformed entry, returns the expected shape as the error', () => {
    assert.deepEqual(entityFromEntry('discord', '123'), { error: 'expected guild/channel' })
    assert.deepEqual(entityFromEntry('slack', 'a/b/c'), { error: 'expected team/channel' })
    assert.deepEqual(entityFromEntry('twitch', 'two words'), { error: 'expected a channel name' })
    assert.deepEqual(entityFromEntry('twitch', 'a:b'), { error: 'expected a channel name' })
  })
})

describe('coordination timings from settings', () => {
  test('defaults when nothing is set; env overrides; a short TTL scales the check-in interval', () => {
    const none = testProject()
    after(() => none.cleanup())
    assert.deepEqual(createCoordination({} as Storage, coordinationOptions(none.settings)).timings, {
      claimTtlMs: 1_800_000,
      checkinIntervalMs: 300_000,
      maxErrors: 3,
    })
    const short = testProject({
      env: { WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS: '300', WADDLEBOT_ROUTER_COORDINATION_MAX_ERRORS: '5' },
    })
    after(() => short.cleanup())
    assert.deepEqual(coordinationOptions(short.settings), { claimTtlMs: 300, checkinIntervalMs: 100, maxErrors: 5 })
  })
  test('an invalid value is WB_CONFIG_INVALID naming the key', () => {
    const bad = testProject({ yaml: 'modules:\n  router:\n    coordination_claim_ttl_ms: -5\n' })
    after(() => bad.cleanup())
    assert.throws(
      () => coordinationOptions(bad.settings),
      (e: Error & { code?: string }) =>
        e.code === 'WB_CONFIG_INVALID' && /modules\.router\.coordination_claim_ttl_ms/.test(e.message),
    )
    const slow = testProject({
      env: {
        WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS: '600000',
        WADDLEBOT_ROUTER_COORDINATION_CHECKIN_INTERVAL_MS: '600000',
      },
    })
    after(() => slow.cleanup())
    assert.throws(() => coordinationOptions(slow.settings), /coordination_checkin_interval_ms/)
  })
})

await describeOnBothDatabases('seeding entities from settings', (db) => {
  let storage: Storage
  before(async () => {
    storage = await db.open()
  })
  beforeEach(async () => {
    await storage.execute(sql`delete from coordination`)
  })

  test('config lists and <PLATFORM>_CHANNELS enter the table; disabled platforms and bad entries do not; re-seeding is a no-op', async () => {
    const project = testProject({
      yaml: YAML,
      env: { TWITCH_CHANNELS: 'xqc, pokimane,', DISCORD_CHANNELS: '333/444', SLACK_CHANNELS: 'T2/C2' },
    })
    after(() => project.cleanup())
    const coordination = createCoordination(storage)
    const result = await seedEntitiesFromSettings(coordination, project.settings)
    assert.deepEqual(result.registered, { twitch: 3, discord: 2 })
    assert.deepEqual(result.invalid, [{ platform: 'discord', entry: 'no-slash', reason: 'expected guild/channel' }])
    const rows = await storage.query<{ entity_id: string; platform: string; server_id: string; channel_id: string }>(
      sql`select entity_id, platform, server_id, channel_id from coordination order by entity_id`,
    )
    assert.deepEqual(
      rows.map((r) => r.entity_id),
      ['discord:111:222', 'discord:333:444', 'twitch:pokimane:pokimane', 'twitch:shroudtv:shroudtv', 'twitch:xqc:xqc'],
    )
    assert.deepEqual(rows[0], {
      entity_id: 'discord:111:222',
      platform: 'discord',
      server_id: '111',
      channel_id: '222',
    })
    await coordination.claim('twitch', 'c1', 5)
    await seedEntitiesFromSettings(coordination, project.settings)
    const held = await storage.one<{ n: number }>(sql`select count(*) as n from coordination where claimed_by = 'c1'`)
    assert.equal(Number(held!.n), 3, 'a restart re-seeds without touching claims')
    assert.equal(Number((await storage.one<{ n: number }>(sql`select count(*) as n from coordination`))!.n), 5)
  })

  test('nothing configured registers nothing', async () => {
    const project = testProject()
    after(() => project.cleanup())
    assert.deepEqual(await seedEntitiesFromSettings(createCoordination(storage), project.settings), {
      registered: {},
      invalid: [],
    })
  })
})
