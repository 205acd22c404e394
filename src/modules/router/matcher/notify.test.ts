import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { REDIS_TEST_URL, serversUnavailable } from '../../../../test/helpers/backends.js'
import { createCache } from '../../../runtime/cache/index.js'
import type { Settings } from '../../../runtime/config.js'
import { CHANGED_CHANNEL, currentRulesVersion } from './matcher-cache.js'
import { notifyRulesChanged } from './notify.js'

const redisSkip = await serversUnavailable()
const PREFIX = `wbtest:notify:${process.pid}:`
const settings = (redisUrl: string | undefined) => ({ redisUrl, redisPrefix: PREFIX }) as Settings

describe('notifyRulesChanged (the CLI side)', () => {
  test('without Redis, routers are left to their periodic check', async () => {
    assert.deepEqual(await notifyRulesChanged(settings(undefined)), { via: 'poll' })
  })

  test('an unreachable Redis is reported, not thrown', async () => {
    const result = await notifyRulesChanged(settings('redis://127.0.0.1:1'))
    assert.equal(result.via, 'failed')
  })

  test('with Redis, the runtime prefix hears the change at the new version', { skip: redisSkip }, async () => {
    const router = await createCache({ redisUrl: REDIS_TEST_URL, namespace: PREFIX, onError: () => {} })
    try {
      const heard: unknown[] = []
      const unsubscribe = await router.subscribe(CHANGED_CHANNEL, (m) => heard.push(m))
      const result = await notifyRulesChanged(settings(REDIS_TEST_URL))
      assert.equal(result.via, 'redis')
      const version = result.via === 'redis' ? result.version : -1
      assert.ok((await currentRulesVersion(router)) >= version)
      for (let i = 0; i < 200 && !heard.some((m) => (m as { version: number }).version === version); i++)
        await new Promise((r) => setTimeout(r, 10))
      assert.ok(
        heard.some((m) => (m as { version: number }).version === version),
        JSON.stringify(heard),
      )
      await unsubscribe()
    } finally {
      await router.close()
    }
  })
})
