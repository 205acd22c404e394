/**
 * Twitch whispers through the real Helix client against the fake Helix: delivered, refused for a bot without a
 * verified phone (said so), a blocked recipient, a missing scope, and Twitch's limits kept here (fake clock).
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type FakeHelix, startFakeHelix } from '../../../test/fakes/twitch/helix-server.js'
import { manualClock } from '../../../test/helpers/host-test-module.js'
import { WhisperRefused } from '../core/whisper-route.js'
import { createHelixClient } from './helix.js'
import { createTwitchWhisper, WHISPER_LIMITS } from './whisper.js'

let fake: FakeHelix
before(async () => {
  fake = await startFakeHelix({ clientId: 'cid', token: 'tok' })
})
after(() => fake.close())

const helix = () => createHelixClient({ baseUrl: fake.url, clientId: 'cid', token: 'tok' })
const whispers = () => fake.calls.filter((c) => c.path === '/whispers')

test('a whisper goes to Helix from the bot account, cut at 500 characters', async () => {
  const send = createTwitchWhisper(helix(), 'waddlebot')
  await send('4711', 'x'.repeat(600))
  const call = whispers().at(-1)!
  assert.equal(call.query.get('to_user_id'), '4711')
  assert.match(call.query.get('from_user_id') ?? '', /^\d+$/)
  assert.equal((call.body as { message: string }).message.length, WHISPER_LIMITS.maxChars)
})

test('refusals are said in words: no verified phone, blocked recipient, missing scope', async () => {
  const send = createTwitchWhisper(helix(), 'waddlebot')
  fake.whispers.noVerifiedPhone = true
  await assert.rejects(
    send('1', 'hi'),
    (e: Error) => e instanceof WhisperRefused && /verified phone number/.test(e.message),
  )
  fake.whispers.noVerifiedPhone = false
  fake.whispers.blocked.add('2')
  await assert.rejects(send('2', 'hi'), /does not accept whispers/)
  const scopes = [...fake.auth.scopes]
  fake.auth.scopes.splice(fake.auth.scopes.indexOf('user:manage:whispers'), 1)
  await assert.rejects(send('3', 'hi'), /lacks the user:manage:whispers scope/)
  fake.auth.scopes.splice(0, fake.auth.scopes.length, ...scopes)
})

test("Twitch's limits are kept: 3 a second, 40 recipients a day", async () => {
  const clock = manualClock(1_000_000)
  const send = createTwitchWhisper(helix(), 'waddlebot', clock.now)
  for (let i = 0; i < 3; i++) await send('100', `m${i}`)
  const before = whispers().length
  await assert.rejects(send('100', 'fourth'), /rate limit reached/)
  assert.equal(whispers().length, before, 'the refused whisper is not sent')
  for (let i = 0; i < 39; i++) {
    clock.advance(1000)
    await send(`r${i}`, 'hi')
  }
  clock.advance(1000)
  await assert.rejects(send('one-more', 'hi'), /40 different users a day/)
  await send('100', 'a known recipient still gets one')
})
