/**
 * Acceptance (issue 12): Postgres stopped with `-m immediate` under load. The router process lives, answers
 * 503 WB_STORAGE_UNREACHABLE with Retry-After during the outage (never 500), serves again once Postgres is
 * back (the pool reconnects by itself), and no acknowledged execution is lost.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type Bot, load, missingRows, newTally, startBot, type Tally, until } from './bot.js'
import {
  missingServers,
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from './servers.js'

const skip = missingServers()

describe('Postgres stopped -m immediate under load', { skip }, () => {
  let cluster: PrivatePostgres
  let redis: PrivateRedis
  let bot: Bot
  let databaseUrl: string
  before(async () => {
    ;[cluster, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()])
    databaseUrl = await cluster.database('outage')
    bot = await startBot(['router'], { DATABASE_URL: databaseUrl, REDIS_URL: redis.url })
  })
  after(async () => {
    await bot?.stop('SIGKILL').catch(() => {})
    bot?.cleanup()
    await Promise.all([cluster?.stop(), redis?.stop()])
  })

  test('the process lives, answers 503 with Retry-After during the outage, recovers, loses no acknowledged row', async () => {
    const tally = newTally()
    const traffic = load(bot, tally, 8)
    try {
      await outageAndRecovery(tally)
    } finally {
      // Always: lanes left running after a failed step would keep this test file alive for ever.
      await traffic.stop()
    }

    assert.equal(bot.child.exitCode, null, bot.child.output())
    assert.equal(tally.statuses.get(500) ?? 0, 0, `500 answers: ${JSON.stringify([...tally.codes])}`)
    assert.deepEqual([...tally.codes.keys()], ['WB_STORAGE_UNREACHABLE'])
    assert.equal(tally.retryAfterMissing, 0)
    assert.equal(await bot.stop('SIGTERM'), 0, bot.child.output())
    const missing = await missingRows(databaseUrl, tally.acked)
    assert.deepEqual(
      missing,
      [],
      `${missing.length} of ${tally.acked.length} acknowledged events have no execution row`,
    )
  })

  /** Load is running: stop Postgres, watch the 503s, start it again, wait for acknowledgements. */
  async function outageAndRecovery(tally: Tally): Promise<void> {
    await until('acknowledged before the outage', () => tally.acked.length >= 200)

    await cluster.stopImmediate()
    await until('503 answers during the outage', () => (tally.statuses.get(503) ?? 0) >= 20)
    assert.equal(bot.child.exitCode, null, `the router exited during the outage:\n${bot.child.output()}`)
    const health = await fetch(`${bot.url}/health`)
    assert.equal(health.status, 503)
    assert.equal(((await health.json()) as { failing: string }).failing, 'database')

    const ackedBeforeRestart = tally.acked.length
    await cluster.start()
    await until('acknowledged after Postgres is back', () => tally.acked.length >= ackedBeforeRestart + 200).catch(
      (error: Error) => {
        const seen = JSON.stringify({
          statuses: [...tally.statuses],
          codes: [...tally.codes],
          acked: tally.acked.length,
        })
        throw new Error(`${error.message}; answers ${seen}; router output:\n${bot.child.output().slice(-6000)}`)
      },
    )
  }
})
