import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { PermissionFlagsBits } from 'discord.js'
import { slashFactsFromPayload } from './interactions.js'
import { discordEntity, slashEvent, slashText } from './normalize.js'
import { parseEntity, targetOf } from './outbound.js'
import { discordRoles } from './roles.js'

describe('discord normalization', () => {
  test('entity ids: discord:<guild>:<channel>, DMs under @me', () => {
    assert.equal(discordEntity('200', '300'), 'discord:200:300')
    assert.equal(discordEntity(null, '7999'), 'discord:@me:7999')
    assert.deepEqual(parseEntity('discord:200:300'), { guildId: '200', channelId: '300' })
    assert.deepEqual(parseEntity('discord:@me:7999'), { guildId: null, channelId: '7999' })
    assert.equal(parseEntity('twitch:a:a'), undefined)
  })

  test('roles map from ownership, permissions and boosting', () => {
    const P = PermissionFlagsBits
    assert.deepEqual(discordRoles({ isOwner: true, permissions: 0n, boosting: false }), ['owner', 'admin', 'moderator'])
    assert.deepEqual(discordRoles({ isOwner: false, permissions: P.Administrator, boosting: false }), [
      'admin',
      'moderator',
    ])
    assert.deepEqual(discordRoles({ isOwner: false, permissions: P.ManageMessages, boosting: false }), ['moderator'])
    assert.deepEqual(discordRoles({ isOwner: false, permissions: P.ModerateMembers, boosting: true }), [
      'moderator',
      'subscriber',
    ])
    assert.deepEqual(discordRoles({ isOwner: false, permissions: P.SendMessages | P.ViewChannel, boosting: true }), [
      'subscriber',
    ])
    assert.deepEqual(discordRoles({ isOwner: false, permissions: null, boosting: false }), [])
  })

  test('slash commands become chat text', () => {
    assert.equal(slashText('waddlebot', [{ name: 'text', value: 'ping' }]), '!ping')
    assert.equal(slashText('waddlebot', [{ name: 'text', value: ' #weather Paris ' }]), '#weather Paris')
    assert.equal(slashText('waddlebot', []), '!help')
    assert.equal(
      slashText('command', [
        { name: 'name', value: 'say' },
        { name: 'args', value: 'a b' },
      ]),
      '!say a b',
    )
    assert.equal(slashText('command', [{ name: 'name', value: '#joke' }]), '#joke')
    assert.equal(slashText('roll', [{ name: 'sides', value: 20 }]), '!roll 20')
  })

  test('an HTTP slash payload becomes a slashCommand event with roles from its permissions', () => {
    const payload = {
      id: '55',
      application_id: '101',
      type: 2,
      token: 't',
      guild_id: '200',
      channel_id: '300',
      member: {
        user: { id: '9', username: 'ann', global_name: 'Ann' },
        permissions: String(PermissionFlagsBits.ManageMessages),
        premium_since: '2024-01-01T00:00:00Z',
        nick: null,
      },
      data: { name: 'waddlebot', type: 1, options: [{ name: 'text', type: 3, value: 'ping' }] },
    }
    const facts = slashFactsFromPayload(payload, (g) => (g === '200' ? '1' : undefined))!
    assert.deepEqual(slashEvent(facts), {
      platform: 'discord',
      server_id: '200',
      channel_id: '300',
      user_id: '9',
      user_name: 'ann',
      display_name: 'Ann',
      message_type: 'slashCommand',
      roles: ['moderator', 'subscriber'],
      entity_id: 'discord:200:300',
      message: '!ping',
      message_id: '55',
      metadata: { interaction_id: '55', command: 'waddlebot', via: 'http', channel_type: 'guild' },
    })
    const owner = slashFactsFromPayload(
      { ...payload, member: { ...payload.member, user: { id: '1', username: 'own' } } },
      () => '1',
    )!
    assert.ok(owner.roles.includes('owner'))
    const dm = slashFactsFromPayload({
      id: '56',
      application_id: '101',
      type: 2,
      channel_id: '7009',
      user: { id: '9', username: 'ann' },
      data: { name: 'waddlebot' },
    })!
    assert.equal(slashEvent(dm).entity_id, 'discord:@me:7009')
    assert.deepEqual(dm.roles, [])
    assert.equal(slashFactsFromPayload({ id: '57', application_id: '101', type: 2 }), undefined)
  })

  test('moderation targets the author, and the message only for chat messages', () => {
    const base = {
      platform: 'discord' as const,
      server_id: '200',
      channel_id: '300',
      user_id: '9',
      user_name: 'ann',
      message_id: '77',
    }
    assert.deepEqual(targetOf({ ...base, message_type: 'chatMessage' }, '200', '300'), {
      guildId: '200',
      channelId: '300',
      userId: '9',
      messageId: '77',
    })
    assert.deepEqual(targetOf({ ...base, message_type: 'slashCommand' }, '200', '300'), {
      guildId: '200',
      channelId: '300',
      userId: '9',
    })
  })
})
