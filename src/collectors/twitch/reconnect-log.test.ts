/**
 * A Twitch chat drop is one warn line (and one info line when chat is back), not tmi.js's error lines:
 * the real tmi.js against the fake Twitch chat, which drops every connection.
 */
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { test } from 'node:test'
import { sqliteBackend } from '../../../test/helpers/backends.js'
import { BOT, eventually, startTwitchHarness } from '../../../test/helpers/twitch-harness.js'
import { createLogger } from '../../runtime/logger.js'

test('a dropped chat connection logs one warn line, no error, and one line when it is back', async () => {
  const out = new PassThrough()
  const lines: { level: number; module?: string; msg: string }[] = []
  let partial = ''
  out.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString()
    const parts = text.split('\n')
    partial = parts.pop() ?? ''
    for (const line of parts) if (line) lines.push(JSON.parse(line))
  })
  const h = await startTwitchHarness(sqliteBackend(), {
    channels: ['chan'],
    modules: ['router', 'twitch'],
    log: createLogger({ level: 'info', destination: out }),
  })
  try {
    await h.irc.waitFor('the bot to join', () => h.irc.joined(BOT).has('chan'))
    const from = lines.length
    h.irc.dropConnections()
    await eventually('chat back', () => lines.slice(from).some((l) => l.msg === 'Twitch chat reconnected'), 20_000)
    const twitch = lines.slice(from).filter((l) => l.module === 'twitch')
    assert.deepEqual(
      twitch.filter((l) => l.level >= 40).map((l) => [l.level, l.msg]),
      [[40, 'Twitch chat disconnected; reconnecting']],
    )
    assert.equal(twitch.filter((l) => l.msg === 'Twitch chat reconnected').length, 1)
  } finally {
    await h.close()
  }
})
