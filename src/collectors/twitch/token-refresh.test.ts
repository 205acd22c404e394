/**
 * The Twitch collector with tokens from `waddlebot auth twitch` (a refresh token in the environment): an
 * expired access token is refreshed at the fake id.twitch.tv before chat logs in, chat logs in with the new
 * one, and the new pair is written to the project's .env.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { startFakeTwitchAuth } from '../../../test/fakes/twitch/index.js'
import { sqliteBackend } from '../../../test/helpers/backends.js'
import { readEnvFile } from '../../runtime/env-file.js'
import { CLIENT_ID, eventually, startTwitchHarness } from '../../../test/helpers/twitch-harness.js'
import { createTwitchOAuth, runDeviceFlow } from './oauth.js'

test('an expired access token is refreshed before chat logs in; the new pair is saved to .env', async () => {
  const auth = await startFakeTwitchAuth({ clientId: CLIENT_ID, autoApprove: true })
  const oauth = createTwitchOAuth({ authUrl: auth.url, clientId: CLIENT_ID })
  const first = await runDeviceFlow(oauth, {
    scopes: ['chat:read', 'chat:edit'],
    onCode: () => {},
    sleep: async () => {},
  })
  const h = await startTwitchHarness(sqliteBackend(), {
    channels: ['chan'],
    env: {
      TWITCH_AUTH_URL: auth.url,
      TWITCH_BOT_TOKEN: first.accessToken,
      TWITCH_REFRESH_TOKEN: first.refreshToken,
      TWITCH_TOKEN_EXPIRES_AT: String(Date.now() - 1000),
    },
  })
  try {
    const pass = await eventually('a PASS line', () => h.irc.lines.find((l) => l.command === 'PASS'))
    const fresh = auth.issued.at(-1)!
    assert.notEqual(fresh, first.accessToken)
    assert.equal(pass.params[0], `oauth:${fresh}`)
    const saved = readEnvFile(join(h.project.dir, '.env'))
    assert.equal(saved.TWITCH_BOT_TOKEN, fresh)
    assert.notEqual(saved.TWITCH_REFRESH_TOKEN, first.refreshToken)
    assert.deepEqual(auth.calls.filter((c) => c.endsWith('refresh_token')).length, 1)
  } finally {
    await h.close()
    await auth.close()
  }
})
