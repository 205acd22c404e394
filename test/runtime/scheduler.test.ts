/**
 * The durable scheduler on SQLite and on Postgres: due jobs fire once, two instances over two connections (as
 * two processes hold) never both fire a job, a job due while nothing ran fires once after start, repeating
 * jobs keep their grid and skip missed slots, failures retry then drop, an expired lease is taken over, and
 * the loop stops cleanly. Time is a fake clock throughout.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { jobStore } from '../../src/runtime/scheduler/job-store.js'
import { createScheduler, type Job, nextRun, type Scheduler } from '../../src/runtime/scheduler/index.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../src/runtime/storage/index.js'
import { sql } from '../../src/runtime/storage/sql.js'
import type { Storage } from '../../src/runtime/storage/types.js'
import { serversUnavailable } from '../helpers/backends.js'
import { fakeClock } from '../helpers/fake-clock.js'
import { freshPostgresUrl } from '../helpers/pg.js'

const dir = mkdtempSync(join(tmpdir(), 'wb-scheduler-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const pgSkip = await serversUnavailable()

async function open(url: string): Promise<Storage> {
  const storage = await createStorage({ url, cwd: dir })
  await storage.migrate([coreMigrations])
  return storage
}

/** Waits (real time, at most 5 s) for the loop's database round trips: a fake clock cannot wait for I/O. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

let files = 0
const backends = [
  { name: 'SQLite', skip: undefined, url: async () => ({ url: `sqlite:${join(dir, `jobs-${++files}.db`)}` }) },
  { name: 'Postgres', skip: pgSkip, url: () => freshPostgresUrl() },
]

for (const backend of backends) {
  describe(`scheduler on ${backend.name}`, { skip: backend.skip }, () => {
    // One database per backend; each test opens its two connections and starts from an empty table.
    let target: { url: string; drop?: () => Promise<void> } | undefined
    let a: Storage
    let b: Storage
    after(() => target?.drop?.())
    const open2 = async () => {
      target ??= await backend.url()
      a = await open(target.url)
      b = await open(target.url) // a second connection, as a second process holds
      await a.execute(sql`delete from scheduled_jobs`)
    }
    const close2 = async () => {
      await a.close()
      await b.close()
    }

    test('a due job fires once, not before its time; a fired one-shot job is gone', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const s = createScheduler({ storage: a, owner: 'mod', clock, instance: 'one' })
        const fired: Job[] = []
        s.handle('ping', (job) => {
          fired.push(job)
        })
        const job = await s.schedule({ kind: 'ping', dueAt: clock.now() + 2000, payload: { text: 'hi' }, scope: 'c1' })
        assert.equal(await s.runDue(), 0)
        await clock.advance(1999)
        assert.equal(await s.runDue(), 0)
        await clock.advance(1)
        assert.equal(await s.runDue(), 1)
        assert.equal(await s.runDue(), 0)
        assert.deepEqual(
          fired.map((j) => [j.id, j.payload, j.scope]),
          [[job.id, { text: 'hi' }, 'c1']],
        )
        assert.equal(await s.get(job.id), undefined)
      } finally {
        await close2()
      }
    })

    test('two instances on two connections fire each of 30 jobs exactly once', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const counts = new Map<number, number>()
        const count = (job: Job) => {
          counts.set(job.id, (counts.get(job.id) ?? 0) + 1)
        }
        const s1 = createScheduler({ storage: a, owner: 'mod', clock, instance: 'p1', batch: 100 })
        const s2 = createScheduler({ storage: b, owner: 'mod', clock, instance: 'p2', batch: 100 })
        s1.handle('r', count)
        s2.handle('r', count)
        const ids: number[] = []
        for (let i = 0; i < 30; i++) ids.push((await s1.schedule({ kind: 'r', dueAt: clock.now() + (i % 3) })).id)
        await clock.advance(5)
        const [x, y] = await Promise.all([s1.runDue(), s2.runDue()])
        assert.equal(x + y, 30)
        assert.deepEqual(
          [...counts.keys()].sort((m, n) => m - n),
          ids,
        )
        assert.ok(
          [...counts.values()].every((n) => n === 1),
          'no job fired twice',
        )
        assert.deepEqual(await s1.list(), [])
      } finally {
        await close2()
      }
    })

    test('a job due while no process ran fires once after start, through the timer loop', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const before = createScheduler({ storage: a, owner: 'mod', clock, instance: 'old' })
        await before.schedule({ kind: 'remind', dueAt: clock.now() + 60_000, payload: { n: 1 } })
        await before.stop()
        await a.close()
        await clock.advance(10 * 60_000) // the module is down past the due time
        a = await open(target!.url)
        const fired: Job[] = []
        const s = createScheduler({ storage: a, owner: 'mod', clock, instance: 'new', pollMs: 1000 })
        s.handle('remind', (job) => {
          fired.push(job)
        })
        s.start()
        await clock.advance(1000)
        await eventually(() => fired.length > 0)
        await clock.advance(5000)
        assert.equal(await s.runDue(), 0)
        assert.equal(fired.length, 1)
        assert.deepEqual(fired[0]?.payload, { n: 1 })
        await s.stop()
        assert.equal(clock.pending(), 0, 'no timer left after stop')
      } finally {
        await close2()
      }
    })

    test('the loop fires a job scheduled sooner than its poll interval at its due time', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const fired: number[] = []
        const s = createScheduler({ storage: a, owner: 'mod', clock, pollMs: 60_000 })
        s.handle('soon', () => {
          fired.push(clock.now())
        })
        s.start()
        await clock.advance(0)
        const start = clock.now()
        await s.schedule({ kind: 'soon', dueAt: start + 2000 })
        await clock.advance(1999)
        assert.deepEqual(fired, [])
        await clock.advance(1)
        await eventually(() => fired.length > 0)
        assert.deepEqual(fired, [start + 2000])
        await s.stop()
      } finally {
        await close2()
      }
    })

    test('a repeating job keeps its grid and skips the slots it missed', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const s = createScheduler({ storage: a, owner: 'mod', clock })
        let fired = 0
        s.handle('tick', () => {
          fired++
        })
        const t0 = clock.now()
        const job = await s.schedule({ kind: 'tick', dueAt: t0 + 1000, repeatMs: 1000 })
        await clock.advance(1000)
        assert.equal(await s.runDue(), 1)
        assert.equal((await s.get(job.id))?.dueAt, t0 + 2000)
        await clock.advance(3500) // missed 2000, 3000, 4000
        assert.equal(await s.runDue(), 1)
        assert.equal(fired, 2)
        assert.equal((await s.get(job.id))?.dueAt, t0 + 5000)
        assert.equal(nextRun(0, 100, 0), 100)
        assert.equal(nextRun(0, 100, 250), 300)
      } finally {
        await close2()
      }
    })

    test('a failing job retries after retryMs × attempt, then is dropped after maxAttempts', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const s = createScheduler({ storage: a, owner: 'mod', clock, retryMs: 100, maxAttempts: 2 })
        let calls = 0
        s.handle('bad', () => {
          calls++
          throw new Error('boom')
        })
        const job = await s.schedule({ kind: 'bad', dueAt: clock.now() })
        assert.equal(await s.runDue(), 1)
        const retry = await s.get(job.id)
        assert.equal(retry?.attempts, 1)
        assert.equal(retry?.dueAt, clock.now() + 100)
        assert.equal(await s.runDue(), 0)
        await clock.advance(100)
        assert.equal(await s.runDue(), 1)
        assert.equal(calls, 2)
        assert.equal(await s.get(job.id), undefined, 'dropped after the last attempt')
      } finally {
        await close2()
      }
    })

    test('a lease left by a dead process is taken over once it expires', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const s = createScheduler({ storage: b, owner: 'mod', clock, leaseMs: 1000 })
        let fired = 0
        s.handle('x', () => {
          fired++
        })
        const job = await s.schedule({ kind: 'x', dueAt: clock.now() })
        const dead = await jobStore(a, 'mod').claim(job.id, 'dead-process', clock.now(), 5000)
        assert.ok(dead, 'the dead process had claimed it')
        assert.equal(await s.runDue(), 0, 'held by a live lease')
        const store = jobStore(b, 'mod')
        assert.equal(await store.nextDue(['x'], clock.now()), clock.now() + 5000, 'the loop waits for the lease')
        await clock.advance(5000)
        assert.equal(await s.runDue(), 1)
        assert.equal(fired, 1)
      } finally {
        await close2()
      }
    })

    test('keys replace, owners and kinds are separate, list/update/cancel work', async () => {
      await open2()
      try {
        const clock = fakeClock()
        const s: Scheduler = createScheduler({ storage: a, owner: 'mod', clock })
        const other = createScheduler({ storage: a, owner: 'other', clock })
        const first = await s.schedule({ kind: 'k', key: 'event-1', dueAt: clock.now() + 10, payload: { v: 1 } })
        const second = await s.schedule({ kind: 'k', key: 'event-1', dueAt: clock.now() + 20, payload: { v: 2 } })
        assert.equal(second.id, first.id)
        assert.deepEqual((await s.getByKey('event-1'))?.payload, { v: 2 })
        await other.schedule({ kind: 'k', key: 'event-1', dueAt: clock.now() })
        await s.schedule({ kind: 'j', scope: 'chan', dueAt: clock.now() + 5 })
        assert.equal((await s.list()).length, 2)
        assert.equal((await s.list({ kind: 'j', scope: 'chan' })).length, 1)
        assert.equal((await s.list({ scope: 'nope' })).length, 0)
        assert.equal(await s.count(), 2)
        assert.equal(await s.count({ kind: 'j' }), 1)
        const moved = await s.update(first.id, { dueAt: clock.now() + 99, payload: { v: 3 } })
        assert.equal(moved?.dueAt, clock.now() + 99)
        assert.deepEqual(moved?.payload, { v: 3 })
        assert.equal(await s.cancelKey('event-1'), true)
        assert.equal(await s.cancelKey('event-1'), false)
        assert.equal((await other.list()).length, 1, "another owner's job is untouched")
        assert.equal(await s.cancel(999_999), false)
      } finally {
        await close2()
      }
    })
  })
}
