import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  type FakeHelix,
  type FakeTwitchAuth,
  startFakeHelix,
  startFakeTwitchAuth,
} from '../../../test/fakes/twitch/index.js'
import { readEnvFile, updateEnvFile } from '../../runtime/env-file.js'
import { createHelixClient } from './helix.js'
import { createTwitchOAuth, runDeviceFlow, TWITCH_BOT_SCOPES, type TwitchOAuthError } from './oauth.js'
import { createTokenManager, envTokenPersistence, TOKEN_ENV } from './token-store.js'

const CLIENT_ID = 'cid-token-store'

describe('Twitch device code flow and token manager against the fake id.twitch.tv', () => {
  let auth: FakeTwitchAuth
  let helix: FakeHelix
  let dir: string
  before(async () => {
    auth = await startFakeTwitchAuth({ clientId: CLIENT_ID, slowDowns: 2, accessTtl: 3600 })
    helix = await startFakeHelix({ clientId: CLIENT_ID, token: (t) => auth.isValid(t) })
    dir = mkdtempSync(join(tmpdir(), 'wb-twitch-tokens-'))
  })
  after(async () => {
    await Promise.all([auth.close(), helix.close()])
    rmSync(dir, { recursive: true, force: true })
  })

  /** Logs in through the device flow (the "user" approves once the code is shown) and stores the pair. */
  async function login(envPath: string, env: NodeJS.ProcessEnv = {}) {
    const oauth = createTwitchOAuth({ authUrl: auth.url, clientId: CLIENT_ID })
    const waits: number[] = []
    const tokens = await runDeviceFlow(oauth, {
      scopes: TWITCH_BOT_SCOPES,
      onCode: (d) => {
        assert.match(d.verificationUri, /^http:\/\/127\.0\.0\.1:\d+\/activate/)
        auth.approve()
      },
      sleep: async (ms) => {
        waits.push(ms)
      },
    })
    envTokenPersistence(envPath, env).save(tokens)
    return { oauth, tokens, waits }
  }

  test('polls at the asked interval, 5 s slower after each slow_down, and returns the approved tokens with their scopes', async () => {
    const { tokens, waits } = await login(join(dir, 'a.env'))
    assert.deepEqual(waits, [0, 5000, 10_000])
    assert.equal(tokens.accessToken, auth.issued.at(-1))
    assert.deepEqual(tokens.scopes, [...TWITCH_BOT_SCOPES])
    assert.ok(tokens.refreshToken.length > 10)
  })

  test('a denied consent and an expired code end the flow with access_denied / expired_token', async () => {
    const oauth = createTwitchOAuth({ authUrl: auth.url, clientId: CLIENT_ID })
    const run = (answer: () => void) =>
      runDeviceFlow(oauth, { scopes: ['chat:read'], onCode: answer, sleep: async () => {} })
    await assert.rejects(
      run(() => auth.deny()),
      (e: TwitchOAuthError) => e.code === 'access_denied',
    )
    await assert.rejects(
      run(() => auth.expire()),
      (e: TwitchOAuthError) => e.code === 'expired_token',
    )
  })

  test('refreshes shortly before expiry, writes the new pair to .env, and a second process reads it instead of reusing the spent refresh token', async () => {
    const envPath = join(dir, 'b.env')
    updateEnvFile(envPath, { OTHER: 'kept' })
    const { oauth, tokens } = await login(envPath)
    let clock = Date.now()
    const manager = createTokenManager({ oauth, persistence: envTokenPersistence(envPath, {}), now: () => clock })
    assert.equal(await manager.current(), tokens.accessToken, 'fresh token handed out as is')
    clock = tokens.expiresAt - 60_000 // inside the 5-minute margin
    const fresh = await manager.current()
    assert.notEqual(fresh, tokens.accessToken)
    assert.equal(fresh, auth.issued.at(-1))
    const file = readEnvFile(envPath)
    assert.equal(file[TOKEN_ENV.access], fresh)
    assert.notEqual(file[TOKEN_ENV.refresh], tokens.refreshToken)
    assert.equal(file.OTHER, 'kept')
    assert.equal(
      readFileSync(envPath, 'utf8').match(/TWITCH_BOT_TOKEN=/g)?.length,
      1,
      'replaced in place, not appended twice',
    )
    // Another process still holding the old token in its environment: told 401, it reads the file, no new refresh.
    const other = createTokenManager({
      oauth,
      persistence: envTokenPersistence(envPath, { [TOKEN_ENV.access]: tokens.accessToken }),
      now: () => clock - 3_000_000,
    })
    const issuedBefore = auth.issued.length
    assert.equal(await other.refresh(tokens.accessToken), fresh)
    assert.equal(auth.issued.length, issuedBefore)
  })

  test('Helix answers 401 to a revoked token: the client refreshes once (for concurrent calls too) and retries', async () => {
    const envPath = join(dir, 'c.env')
    const { oauth, tokens } = await login(envPath)
    const manager = createTokenManager({ oauth, persistence: envTokenPersistence(envPath, {}) })
    const client = createHelixClient({ baseUrl: helix.url, clientId: CLIENT_ID, token: manager })
    assert.equal((await client.getUsers({ logins: ['alice'] }))[0]?.login, 'alice')
    auth.revoke(tokens.accessToken)
    const refreshesBefore = auth.calls.filter((c) => c.endsWith('refresh_token')).length
    const [a, b] = await Promise.all([client.getUsers({ logins: ['bob'] }), client.getUsers({ logins: ['carol'] })])
    assert.equal(a[0]?.login, 'bob')
    assert.equal(b[0]?.login, 'carol')
    assert.equal(auth.calls.filter((c) => c.endsWith('refresh_token')).length - refreshesBefore, 1)
    const unauthorized = helix.calls.filter((c) => c.headers.authorization === `Bearer ${tokens.accessToken}`).length
    assert.equal(unauthorized, 3, 'one call with the good token, two refused after the revoke')
    assert.equal(readEnvFile(envPath)[TOKEN_ENV.access], auth.issued.at(-1))
  })

  test('a refresh token that no longer works is an error naming it (Twitch: Invalid refresh token)', async () => {
    const oauth = createTwitchOAuth({ authUrl: auth.url, clientId: CLIENT_ID })
    await assert.rejects(
      oauth.refresh('nope'),
      (e: TwitchOAuthError) => e.status === 400 && /Invalid refresh token/.test(e.code),
    )
    await assert.rejects(oauth.validate('nope'), (e: TwitchOAuthError) => e.status === 401)
  })
})
