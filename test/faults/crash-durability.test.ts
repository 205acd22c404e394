/**
 * Acceptance (issue 12): a 200 from POST /api/v1/events means its execution row survives the process.
 * A real `waddlebot run router` gets a burst of `!ping`; it is killed with SIGKILL, or stopped with SIGTERM,
 * in the middle of it; every acknowledged event's row must be in command_executions afterwards. On SQLite
 * (a file) and on a Postgres cluster of this test's own.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Bot, load, missingRows, newTally, startBot, until } from './bot.js'
import { missingServers, type PrivatePostgres, startPrivatePostgres } from './servers.js'

const ACKED_BEFORE_FAULT = 400
const skip = missingServers()

describe('no acknowledged execution is lost (crash and stop mid-burst)', { skip }, () => {
  let cluster: PrivatePostgres
  const bots: Bot[] = []
  before(async () => {
    cluster = await startPrivatePostgres()
  })
  after(async () => {
    for (const b of bots) {
      await b.stop('SIGKILL').catch(() => {})
      b.cleanup()
    }
    await cluster?.stop()
  })

  const backends: { name: string; env: () => Promise<Record<string, string>> }[] = [
    { name: 'SQLite', env: async () => ({}) },
    { name: 'Postgres', env: async () => ({ DATABASE_URL: await cluster.database(`crash_${bots.length}`) }) },
  ]
  for (const backend of backends) {
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      test(`${backend.name}: ${signal} after ${ACKED_BEFORE_FAULT} acknowledged events mid-burst → every one has its row`, async (t) => {
        const env = await backend.env()
        const bot = await startBot(['router'], env)
        bots.push(bot)
        const tally = newTally()
        const burst = load(bot, tally, 32)
        t.after(() => burst.stop()) // also when a step below fails: running lanes would keep the file alive
        await until('acknowledged events', () => tally.acked.length >= ACKED_BEFORE_FAULT)
        const code = await bot.stop(signal)
        await burst.stop()
        const acked = [...tally.acked]
        assert.ok(acked.length >= ACKED_BEFORE_FAULT)
        const url = env.DATABASE_URL ?? `sqlite:${bot.dir}/data/waddlebot.db`
        const missing = await missingRows(url, acked)
        assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged events have no execution row`)
        if (signal === 'SIGTERM') {
          assert.equal(code, 0, bot.child.output())
          assert.doesNotMatch(bot.child.output(), /could not be written at stop/)
        }
      })
    }
  }
})
