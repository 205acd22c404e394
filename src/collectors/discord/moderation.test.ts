import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { REST } from 'discord.js'
import { BASIC_PERMS, type FakeDiscord, PERM, startFakeDiscord } from '../../../test/fakes/discord/index.js'
import { MAX_TIMEOUT_S, moderate } from './moderation.js'

describe('discord moderation through REST (fake Discord)', () => {
  let fake: FakeDiscord
  let rest: REST
  const ALL = BASIC_PERMS | PERM.ManageMessages | PERM.ModerateMembers | PERM.BanMembers
  before(async () => {
    fake = await startFakeDiscord({ guilds: [{ id: '200', botPermissions: ALL }, { id: '210' }] })
    rest = new REST({ api: fake.rest.api, retries: 0, timeout: 3000 }).setToken('fake.token')
  })
  after(async () => {
    await fake.close()
  })
  const target = { guildId: '200', channelId: '300', userId: '999', messageId: '4242' }

  test('delete, timeout and ban call Discord REST with the audit-log reason', async () => {
    assert.deepEqual(await moderate(rest, 'delete', 'spam', target, ALL), { action: 'delete', done: true })
    const del = await fake.rest.waitFor((r) => r.method === 'DELETE' && r.path === '/channels/300/messages/4242')
    assert.equal(del.headers['x-audit-log-reason'], 'spam')
    const before = Date.now()
    assert.equal((await moderate(rest, 'timeout', 'calm down', target, ALL, 120)).done, true)
    const patch = await fake.rest.waitFor((r) => r.method === 'PATCH' && r.path === '/guilds/200/members/999')
    const until = Date.parse(patch.json.communication_disabled_until)
    assert.ok(until >= before + 119_000 && until <= Date.now() + 120_000)
    assert.equal((await moderate(rest, 'ban', 'bye', target, ALL)).done, true)
    await fake.rest.waitFor((r) => r.method === 'PUT' && r.path === '/guilds/200/bans/999')
  })

  test('a timeout is capped at 28 days', async () => {
    await moderate(rest, 'timeout', 'long', { ...target, userId: '1001' }, ALL, 10 ** 9)
    const patch = await fake.rest.waitFor((r) => r.path === '/guilds/200/members/1001')
    assert.ok(Date.parse(patch.json.communication_disabled_until) <= Date.now() + MAX_TIMEOUT_S * 1000)
  })

  test('without the permission nothing is sent and the outcome says which permission is missing', async () => {
    const count = fake.rest.requests.length
    const out = await moderate(rest, 'ban', 'x', { ...target, guildId: '210', channelId: '2101' }, BASIC_PERMS)
    assert.equal(out.done, false)
    assert.match(out.message!, /Ban Members/)
    assert.equal(fake.rest.requests.length, count)
  })

  test('when the permissions are unknown, Discord refusing (403, 50013) is reported', async () => {
    const out = await moderate(rest, 'timeout', 'x', { ...target, guildId: '210', channelId: '2101' }, null)
    assert.equal(out.done, false)
    assert.match(out.message!, /Discord refused/)
    assert.ok(fake.rest.requests.some((r) => r.method === 'PATCH' && r.path === '/guilds/210/members/999'))
  })

  test('warn is a chat line; delete without a message and bans in DMs are refused', async () => {
    assert.deepEqual(await moderate(rest, 'warn', 'be nice', target, null), {
      action: 'warn',
      done: true,
      message: '<@999> ⚠️ be nice',
    })
    assert.match(
      (await moderate(rest, 'delete', 'x', { ...target, messageId: undefined }, ALL)).message!,
      /no message to delete/,
    )
    assert.match((await moderate(rest, 'ban', 'x', { ...target, guildId: null }, ALL)).message!, /not in a server/)
  })
})
