import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type EventSubService, eventSubHealth, eventSubStatus } from './eventsub-service.js'
import type { SubscriptionRecord } from './subscriptions.js'

/** A service in 1,000 channels whose broadcasters refused 5 types each. */
function serviceIn(channels: number): EventSubService {
  const subscriptions: SubscriptionRecord[] = []
  const notes: string[] = []
  for (let i = 0; i < channels; i++) {
    subscriptions.push({ channel: `chan${i}`, type: 'channel.follow', status: 'enabled', id: `f${i}`, cost: 0 })
    for (const type of ['channel.subscribe', 'channel.cheer'])
      subscriptions.push({ channel: `chan${i}`, type, status: 'refused', reason: '403 no' })
    notes.push(
      `channel.subscribe, channel.cheer on #chan${i} refused by Twitch (403 no): the broadcaster has not authorized it`,
    )
  }
  return {
    join() {},
    async leave() {},
    async stop() {},
    revoked() {},
    status: () => ({ transport: 'websocket', state: 'connected', session_id: 's1', subscriptions, notes }),
    settled: async () => {},
  }
}

test('/health carries EventSub as counts and 5 notes, whatever the number of channels; /twitch/status has them all', () => {
  const service = serviceIn(1000)
  const health = eventSubHealth(service) as {
    eventsub: Record<string, unknown>
    warnings: string[]
  }
  assert.deepEqual(health.eventsub, {
    transport: 'websocket',
    state: 'connected',
    session_id: 's1',
    subscriptions: { enabled: 1000, refused: 2000 },
  })
  assert.equal(health.warnings.length, 6)
  assert.equal(health.warnings[5], '… and 995 more EventSub notes (GET /twitch/status lists them all)')
  assert.ok(JSON.stringify(health).length < 2000, `${JSON.stringify(health).length} characters`)
  const status = eventSubStatus(service) as { eventsub: { notes: string[] }; warnings: string[] }
  assert.equal(status.eventsub.notes.length, 1000)
  assert.equal(status.warnings.length, 1000)
})

test('/health with a few notes carries them as they are, and none when there are none', () => {
  const few = eventSubHealth(serviceIn(2)) as { warnings: string[] }
  assert.equal(few.warnings.length, 2)
  assert.ok(!('warnings' in eventSubHealth(serviceIn(0))))
})
