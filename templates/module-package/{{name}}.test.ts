import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { type TestBot, testBot } from 'waddlebot/testing'
import mod from './index.js'

// One bot for the whole file: the real router and this module over an in-memory database.
let bot: TestBot
before(async () => {
  bot = await testBot({ modules: [mod] })
})
after(() => bot.close())

test('!{{name}} greets the caller by display name', async () => {
  assert.deepEqual(await bot.say('!{{name}}', { id: 'u1', name: 'ada', displayName: 'Ada' }), [
    'Hello, Ada! ({{name}} module)',
  ])
})

test('!{{name}} falls back to the user name and echoes the arguments', async () => {
  assert.deepEqual(await bot.say('!{{name}} nice stream', { id: 'u2', name: 'grace' }), [
    'Hello, grace! ({{name}} module) You said: nice stream',
  ])
})

test('!{{name}} remembers who it greeted since start (the state setup built)', async () => {
  await bot.say('!{{name}}', { id: 'u3', name: 'lin' })
  assert.deepEqual(await bot.say('!{{name}}', { id: 'u3', name: 'lin' }), ['Hello again, lin! ({{name}} module)'])
  assert.ok(bot.module(mod).ctx.state.greeted.has('u3'))
})
