/**
 * THE acceptance test of coordination (CONTRACT §4.3): 10 containers race for 500 entities, no entity is
 * ever held twice, all are claimed; a container that stops checking in loses its entities to the others.
 * Run on one storage, on two storages over the same database, and from two separate processes.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { before, beforeEach, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { REPO } from '../../../../test/helpers/cli.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Storage } from '../../../runtime/storage/types.js'
import { claimUntilFull } from '../../../../test/helpers/coordination/claim-loop.js'
import { createCoordination } from './store.js'
import { describeOnBothDatabases, manualClock } from '../../../../test/helpers/coordination/store-support.js'
import type { Coordination } from './types.js'

const PLATFORM = 'twitch'
const ENTITIES = 500
const CONTAINERS = Array.from({ length: 10 }, (_, i) => `twitch-container-${i}`)
/** 10 × 50 = 500: every container ends with exactly 50 when all entities are claimed. */
const CAP = 50
const TTL = 300

/** The table as `entity_id → claimed_by` for live claims at `now` (expired or free ones map to null). */
async function holders(storage: Storage, now: number): Promise<Map<string, string | null>> {
  const rows = await storage.query<{ entity_id: string; claimed_by: string | null; claim_expires: number | null }>(
    sql`select entity_id, claimed_by, claim_expires from coordination`,
  )
  return new Map(
    rows.map((r) => [r.entity_id, r.claim_expires !== null && Number(r.claim_expires) > now ? r.claimed_by : null]),
  )
}

/** Phase 1 checks: the returned claims and the table agree, all 500 held, none twice, 50 each. */
async function assertAllClaimedOnce(storage: Storage, claims: Record<string, string[]>, now: number): Promise<void> {
  const returned = Object.values(claims).flat()
  assert.equal(new Set(returned).size, returned.length, 'no entity was returned to two containers (or twice)')
  assert.equal(returned.length, ENTITIES, 'every entity was claimed')
  for (const [container, mine] of Object.entries(claims)) assert.equal(mine.length, CAP, `${container} holds ${CAP}`)
  const table = await holders(storage, now)
  assert.equal(table.size, ENTITIES)
  for (const [container, mine] of Object.entries(claims)) {
    for (const id of mine) assert.equal(table.get(id), container, `${id} is held by ${container} in the table`)
  }
}

/** Phase 2: container 0 stops checking in; the others check in, its claims expire, and they take them over. */
async function assertTakeover(
  storage: Storage,
  clock: ReturnType<typeof manualClock>,
  forContainer: (i: number) => Coordination,
  before: Record<string, string[]>,
): Promise<void> {
  const [lost, ...alive] = CONTAINERS
  clock.advance(TTL * (2 / 3))
  const checkins = await Promise.all(alive.map((id, i) => forContainer(i + 1).checkin(id)))
  for (const [i, result] of checkins.entries()) assert.deepEqual(result.renewed, [...before[alive[i]!]!].sort())
  clock.advance(TTL / 2)
  const stats = await forContainer(1).stats()
  assert.equal(stats.expired, CAP, `the ${CAP} claims of ${lost} expired`)
  assert.equal(stats.claimed, ENTITIES - CAP)
  const taken = await Promise.all(
    alive.map((id, i) => claimUntilFull(forContainer(i + 1), PLATFORM, id, CAP + 10, CAP)),
  )
  const union = taken.flat()
  assert.equal(new Set(union).size, union.length, 'no entity of the stopped container was handed out twice')
  assert.deepEqual(
    [...union].sort(),
    [...before[lost!]!].sort(),
    'exactly the stopped container’s entities changed hands',
  )
  const table = await holders(storage, clock.now())
  const perContainer = new Map<string, number>()
  for (const [id, holder] of table) {
    assert.ok(holder !== null && holder !== lost, `${id} is held by a live container`)
    perContainer.set(holder, (perContainer.get(holder) ?? 0) + 1)
  }
  for (const [i, id] of alive.entries()) {
    for (const entity of taken[i]!) assert.equal(table.get(entity), id)
    assert.ok(perContainer.get(id)! <= CAP + 10)
  }
  assert.deepEqual((await forContainer(0).checkin(lost!)).renewed, [], 'the stopped container renews nothing')
  const late = await forContainer(0).status(lost!, before[lost!]![0]!, { is_live: true })
  assert.equal(late.ok, false)
  assert.ok(!late.ok && late.reason === 'not_holder' && late.held_by !== null && late.held_by !== lost)
}

/** Runs the claim-process fixture in a child; resolves to its claims once `go` is written. */
function claimProcess(
  url: string,
  containers: string[],
): { ready: Promise<void>; go(): Promise<Record<string, string[]>> } {
  const script = fileURLToPath(new URL('../../../../test/helpers/coordination/claim-process.ts', import.meta.url))
  const env = { ...process.env, WB_CLAIM_PROCESS: JSON.stringify({ url, platform: PLATFORM, containers, cap: CAP }) }
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  const lines = createInterface({ input: child.stdout })
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`claim process exited ${code}: ${stderr}`))),
  )
  const next = () => Promise.race([new Promise<string>((resolve) => lines.once('line', resolve)), exited])
  const ready = next().then((line) => assert.equal(line, 'ready'))
  return {
    ready,
    async go() {
      const result = next()
      child.stdin.write('go\n')
      return JSON.parse(await result) as Record<string, string[]>
    },
  }
}

await describeOnBothDatabases('coordination acceptance: 10 containers, 500 entities', (db) => {
  let storage: Storage

  before(async () => {
    storage = await db.open()
  })
  beforeEach(async () => {
    await storage.execute(sql`delete from coordination`)
    // Mixed priorities and a few live entities, so the claim order has work to do.
    const entities = Array.from({ length: ENTITIES }, (_, i) => ({
      entity_id: `twitch:ch${i}:ch${i}`,
      priority: (i % 7) * 10,
    }))
    await createCoordination(storage).upsertEntities(PLATFORM, entities)
    await storage.execute(sql`update coordination set is_live = 1, status = 'live' where priority = 30`)
  })

  test('10 concurrent containers on one storage; a container that stops checking in is taken over', async () => {
    const clock = manualClock()
    const coordinations = CONTAINERS.map(() =>
      createCoordination(storage, { claimTtlMs: TTL, checkinIntervalMs: TTL / 3, now: clock.now }),
    )
    const results = await Promise.all(CONTAINERS.map((id, i) => claimUntilFull(coordinations[i]!, PLATFORM, id, CAP)))
    const claims = Object.fromEntries(CONTAINERS.map((id, i) => [id, results[i]!]))
    await assertAllClaimedOnce(storage, claims, clock.now())
    await assertTakeover(storage, clock, (i) => coordinations[i]!, claims)
  })

  test('10 containers over two storage instances on the same database (as two processes would be)', async () => {
    const clock = manualClock()
    const second = await db.open()
    const options = { claimTtlMs: TTL, checkinIntervalMs: TTL / 3, now: clock.now }
    const coordinations = CONTAINERS.map((_, i) => createCoordination(i < 5 ? storage : second, options))
    const results = await Promise.all(CONTAINERS.map((id, i) => claimUntilFull(coordinations[i]!, PLATFORM, id, CAP)))
    const claims = Object.fromEntries(CONTAINERS.map((id, i) => [id, results[i]!]))
    await assertAllClaimedOnce(storage, claims, clock.now())
    await assertTakeover(second, clock, (i) => coordinations[i]!, claims)
  })

  test('10 containers in two separate processes', { timeout: 60_000 }, async () => {
    const children = [claimProcess(db.url, CONTAINERS.slice(0, 5)), claimProcess(db.url, CONTAINERS.slice(5))]
    await Promise.all(children.map((c) => c.ready))
    const outputs = await Promise.all(children.map((c) => c.go()))
    const claims: Record<string, string[]> = Object.assign({}, ...outputs)
    assert.deepEqual(Object.keys(claims).sort(), [...CONTAINERS].sort())
    await assertAllClaimedOnce(storage, claims, Date.now())
  })
})
