import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Queryable, Sql } from '../../../runtime/storage/types.js'
import { announceRulesChanged, currentRulesVersion, RuleMatcher } from './matcher-cache.js'
import { addRule, removeRule } from './rules.js'
import { matrix, type OpenBackend } from './test-backends.js'

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now()
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A storage whose reads wait while held, or fail while `failing` (to watch a slow or broken rebuild). */
class GatedStorage implements Queryable {
  readonly dialect: Queryable['dialect']
  failing = false
  private gate: Promise<void> = Promise.resolve()
  private release: () => void = () => {}

  constructor(private readonly inner: Queryable) {
    this.dialect = inner.dialect
  }
  hold(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve
    })
  }
  open(): void {
    this.release()
  }
  private async ready(): Promise<void> {
    await this.gate
    if (this.failing) throw new Error('database went away')
  }
  async query<T>(s: Sql): Promise<T[]> {
    await this.ready()
    return this.inner.query<T>(s)
  }
  async one<T>(s: Sql): Promise<T | undefined> {
    await this.ready()
    return this.inner.one<T>(s)
  }
  execute(s: Sql) {
    return this.inner.execute(s)
  }
}

const hitIds = (m: RuleMatcher, text: string, entity: string | null = null): number[] =>
  m.match(text, entity).map((h) => h.rule.id)

for (const backend of await matrix()) {
  describe(`RuleMatcher on ${backend.name}`, { skip: backend.skip }, () => {
    let b: OpenBackend
    const started: RuleMatcher[] = []
    const make = async (
      options: { storage?: Queryable; pollMs?: number; debounceMs?: number; onError?: (e: unknown) => void } = {},
    ) => {
      const m = new RuleMatcher({
        storage: options.storage ?? b.storage,
        cache: await b.cache(),
        debounceMs: options.debounceMs ?? 20,
        pollMs: options.pollMs ?? 0,
        onError: options.onError,
      })
      await m.start()
      started.push(m)
      return m
    }
    before(async () => {
      b = await backend.open()
    })
    after(async () => {
      for (const m of started) await m.close()
      await b?.close()
    })

    test('two routers rebuild after an announced change, at the announced version', async () => {
      const [one, two] = [await make(), await make()]
      assert.deepEqual(hitIds(one, 'buy followers'), [])
      const rule = await addRule(b.storage, { pattern: 'followers' })
      const version = await announceRulesChanged(await b.cache())
      await waitFor(
        () => hitIds(one, 'buy followers').length === 1 && hitIds(two, 'buy followers').length === 1,
        'both routers to rebuild',
      )
      assert.deepEqual(hitIds(two, 'buy FOLLOWERS'), [rule.id])
      await Promise.all([one.idle(), two.idle()])
      assert.equal(one.version, version)
      assert.equal(two.version, version)
      await removeRule(b.storage, rule.id)
      await announceRulesChanged(await b.cache())
      await waitFor(
        () => hitIds(one, 'buy followers').length === 0 && hitIds(two, 'buy followers').length === 0,
        'the removal',
      )
    })

    test('a burst of changes is debounced into few rebuilds', async () => {
      const m = await make({ debounceMs: 300 })
      const before = m.rebuilds
      const cache = await b.cache()
      const rule = await addRule(b.storage, { pattern: 'burst' })
      for (let i = 0; i < 20; i++) await announceRulesChanged(cache)
      const last = await currentRulesVersion(cache)
      await waitFor(() => m.version === last, 'the last version')
      await m.idle()
      assert.ok(m.rebuilds - before <= 5, `rebuilt ${m.rebuilds - before} times for 20 changes`)
      assert.deepEqual(hitIds(m, 'burst'), [rule.id])
      await removeRule(b.storage, rule.id)
    })

    test('the old matcher keeps answering while a rebuild waits on the database', async () => {
      const slow = new GatedStorage(b.storage)
      const m = await make({ storage: slow })
      const rule = await addRule(b.storage, { pattern: 'slowpoke' })
      slow.hold()
      const rebuilding = m.rebuildNow()
      for (let i = 0; i < 5; i++) {
        assert.deepEqual(hitIds(m, 'slowpoke'), [], 'old rules still serve')
        await new Promise((r) => setTimeout(r, 10))
      }
      slow.open()
      await rebuilding
      assert.deepEqual(hitIds(m, 'slowpoke'), [rule.id])
      await removeRule(b.storage, rule.id)
    })

    test('a failed rebuild keeps the previous matcher and reports the error', async () => {
      const flaky = new GatedStorage(b.storage)
      const errors: unknown[] = []
      const rule = await addRule(b.storage, { pattern: 'keepme' })
      const m = await make({ storage: flaky, onError: (e) => errors.push(e) })
      assert.deepEqual(hitIds(m, 'keepme'), [rule.id])
      flaky.failing = true
      await assert.rejects(m.rebuildNow(), /database went away/)
      assert.equal(errors.length, 1)
      assert.deepEqual(hitIds(m, 'keepme'), [rule.id])
      flaky.failing = false
      await removeRule(b.storage, rule.id)
    })

    test('changes made without an announcement (e.g. by the CLI) are found by the periodic check', async () => {
      const m = await make({ pollMs: 50 })
      const rule = await addRule(b.storage, { pattern: 'quietly', entity_id: 'twitch:5:5' })
      await waitFor(() => hitIds(m, 'quietly', 'twitch:5:5').length === 1, 'the poll to notice')
      assert.deepEqual(hitIds(m, 'quietly', 'twitch:6:6'), [])
      await removeRule(b.storage, rule.id)
      await waitFor(() => hitIds(m, 'quietly', 'twitch:5:5').length === 0, 'the poll to notice the removal')
    })
  })
}
