/** The test kit (`waddlebot/testing`): a module's commands and events through the real router, no casts. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { z } from 'zod'
import { defineModule } from '../../src/index.js'
import { type TestBot, testBot } from '../../src/testing/index.js'

const counter = defineModule<{ greeting: string }, { count: number }>({
  name: 'counter',
  version: '1.0.0',
  kind: 'interaction',
  summary: 'Counts',
  config: z.object({ greeting: z.string().default('hi') }),
  setup: () => ({ count: 0 }),
  commands: [
    {
      name: 'count',
      summary: 'Counts one up',
      run: (ctx) => {
        ctx.state.count += 1
        return `${ctx.config.greeting} ${ctx.request.user.name}: ${ctx.state.count} on ${ctx.request.entity.platform}`
      },
    },
    {
      name: 'reset',
      summary: 'Moderators only',
      permission: 'moderator',
      run: (ctx) => {
        ctx.state.count = 0
      },
    },
  ],
  events: [{ name: 'thanks', types: ['follow'], run: (ctx) => `Thanks for the follow, ${ctx.request.user.name}!` }],
})

describe('testBot', () => {
  let bot: TestBot
  before(async () => {
    bot = await testBot({ modules: [counter], config: { counter: { greeting: 'hey' } } })
  })
  after(() => bot.close())

  test('say returns the chat lines; the module config and state are the real ones', async () => {
    assert.deepEqual(await bot.say('!count'), ['hey Ann: 1 on local'])
    assert.deepEqual(await bot.say('!count', { name: 'bo', id: 'u9', platform: 'twitch' }), ['hey bo: 2 on twitch'])
    assert.equal(bot.module(counter).ctx.state.count, 2)
  })

  test('roles go through the router permissions; send gives the outcome', async () => {
    const refused = await bot.send('!reset')
    assert.equal(refused.outcome, 'forbidden')
    assert.match(refused.responses.map((r) => (r.type === 'chat' ? r.text : '')).join(' '), /moderator/i)
    const done = await bot.send('!reset', { roles: ['moderator'] })
    assert.equal(done.outcome, 'command')
    assert.equal(bot.module(counter).ctx.state.count, 0)
    assert.equal((await bot.send('!nosuch')).outcome, 'unknown_command')
  })

  test('event runs the module event handlers', async () => {
    const result = await bot.event('follow', { tier: 1 }, { name: 'cy' })
    assert.equal(result.outcome, 'event')
    assert.deepEqual(
      result.responses.map((r) => (r.type === 'chat' ? r.text : r.type)),
      ['Thanks for the follow, cy!'],
    )
  })

  test('a module config that fails its schema is a coded error naming the key', async () => {
    await assert.rejects(
      testBot({ modules: [counter], config: { counter: { greeting: 5 } } }),
      /WB_CONFIG_INVALID|modules\.counter\.greeting/,
    )
  })
})
