import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, test } from 'node:test'
import { PermissionFlagsBits, Routes } from 'discord.js'
import { REPO } from '../../../test/helpers/cli.js'
import { PERMISSION, route } from './discord-api.js'

describe('discord API constants', () => {
  test('permission bits and routes equal discord.js PermissionFlagsBits and Routes', () => {
    for (const [name, bit] of Object.entries(PERMISSION))
      assert.equal(bit, PermissionFlagsBits[name as keyof typeof PERMISSION], name)
    assert.equal(route.channelMessages('1'), Routes.channelMessages('1'))
    assert.equal(route.channelMessage('1', '2'), Routes.channelMessage('1', '2'))
    assert.equal(route.guildMember('1', '2'), Routes.guildMember('1', '2'))
    assert.equal(route.guildBan('1', '2'), Routes.guildBan('1', '2'))
    assert.equal(route.interactionCallback('1', 't'), Routes.interactionCallback('1', 't'))
    assert.equal(route.webhook('1', 't'), Routes.webhook('1', 't'))
    assert.equal(route.webhookOriginal('1', 't'), Routes.webhookMessage('1', 't', '@original'))
  })

  test('loading the collector module does not load discord.js (it loads when used)', async () => {
    const script = `
      const { createRequire } = await import('node:module')
      await import('./src/collectors/discord/index.ts')
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/discord.js/'))
      const before = loaded()
      await (await import('./src/collectors/discord/discord-api.ts')).createRest('http://127.0.0.1:9/api')
      console.log(JSON.stringify({ before, after: loaded() }))`
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: REPO },
        (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout)),
      ),
    )
    assert.deepEqual(JSON.parse(out.trim().split('\n').at(-1)!), { before: false, after: true })
  })
})

test('the invite permissions and intents equal discord.js flags and the gateway client intents', async () => {
  const { GatewayIntentBits } = await import('discord.js')
  const { INTENTS } = await import('./gateway.js')
  const { BOT_INTENTS, BOT_PERMISSIONS, BOT_PERMISSION_BITS } = await import('./invite.js')
  for (const [name, bit] of Object.entries(BOT_PERMISSIONS))
    assert.equal(bit, PermissionFlagsBits[name as keyof typeof BOT_PERMISSIONS], name)
  assert.equal(BOT_PERMISSION_BITS, 1374389627908n)
  assert.deepEqual(
    BOT_INTENTS.map((n) => GatewayIntentBits[n]),
    [...INTENTS],
  )
})
