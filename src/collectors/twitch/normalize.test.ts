/** Twitch → router events (chat tags, EventSub payloads) and router responses → Twitch items. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { eventSubEvents, twitchIdOf } from '../../../test/fakes/twitch/index.js'
import { inboundEventSchema } from '../../contract/events.js'
import { ircConnection } from './config.js'
import { eventSubToEvent } from './eventsub-map.js'
import { badgesOf, canModerate, channelOfEntity, chatEvent, rolesOf, twitchEntityId } from './normalize.js'
import { renderTwitch, sanitizeChat } from './render.js'

describe('chat tags → router event', () => {
  test('a PRIVMSG as tmi.js parses it', () => {
    const tags = {
      badges: { broadcaster: '1', subscriber: '12' },
      'display-name': 'Alice',
      id: 'msg-1',
      'user-id': '999',
      username: 'alice',
      mod: false,
      subscriber: true,
      'room-id': '12345',
      color: '#FF0000',
      'message-type': 'chat',
    }
    const e = chatEvent('#Chan', tags, '!ping')!
    assert.deepEqual(e, {
      platform: 'twitch',
      server_id: 'chan',
      channel_id: 'chan',
      entity_id: 'twitch:chan:chan',
      user_id: '999',
      user_name: 'alice',
      display_name: 'Alice',
      message: '!ping',
      message_id: 'msg-1',
      message_type: 'chatMessage',
      roles: ['broadcaster', 'subscriber'],
      metadata: { badges: { broadcaster: '1', subscriber: '12' }, room_id: '12345', color: '#FF0000' },
    })
    assert.ok(inboundEventSchema.safeParse(e).success, 'valid for the router')
  })

  const roleCases: [string, Record<string, unknown>, string[]][] = [
    ['plain viewer', { badges: null, mod: false }, []],
    ['moderator badge', { badges: { moderator: '1' } }, ['moderator']],
    ['mod tag without badge', { mod: true }, ['moderator']],
    ['raw mod=1 and user-type mod', { mod: '1', 'user-type': 'mod' }, ['moderator']],
    ['vip badge', { badges: 'vip/1' }, ['vip']],
    ['founder counts as subscriber', { badges: 'founder/0' }, ['subscriber']],
    [
      'raw badge list',
      { badges: 'broadcaster/1,moderator/1,vip/1,subscriber/3' },
      ['broadcaster', 'moderator', 'vip', 'subscriber'],
    ],
    ['staff', { 'user-type': 'staff' }, ['admin']],
  ]
  for (const [name, tags, roles] of roleCases) test(`roles: ${name}`, () => assert.deepEqual(rolesOf(tags), roles))

  test('the bot may moderate as moderator or broadcaster, from its USERSTATE (raw or parsed)', () => {
    assert.equal(canModerate({ mod: '1', badges: 'moderator/1' }), true)
    assert.equal(canModerate({ badges: { broadcaster: '1' } }), true)
    assert.equal(canModerate({ mod: '0', badges: '' }), false)
    assert.deepEqual(badgesOf({ badges: 'subscriber/12,premium' }), { subscriber: '12', premium: '' })
  })

  test('entity ids', () => {
    assert.equal(twitchEntityId('#Some_Chan'), 'twitch:some_chan:some_chan')
    assert.equal(channelOfEntity('twitch:chan:chan'), 'chan')
    assert.equal(channelOfEntity('discord:1:2'), undefined)
  })

  test('a message without a user is not forwarded', () => {
    assert.equal(chatEvent('#c', {}, 'hi'), undefined)
  })
})

describe('EventSub → router event', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    [
      'channel.follow',
      eventSubEvents.follow('chan', 'bob', twitchIdOf),
      { message_type: 'follow', user_name: 'bob', user_id: twitchIdOf('bob') },
    ],
    [
      'channel.subscribe',
      {
        user_id: '5',
        user_login: 'sue',
        user_name: 'Sue',
        broadcaster_user_id: '1',
        broadcaster_user_login: 'chan',
        broadcaster_user_name: 'Chan',
        tier: '1000',
        is_gift: false,
      },
      {
        message_type: 'subscription',
        display_name: 'Sue',
        metadata: { eventsub_type: 'channel.subscribe', broadcaster_id: '1', tier: '1000', is_gift: false },
      },
    ],
    [
      'channel.subscription.gift',
      {
        user_id: null,
        user_login: null,
        user_name: null,
        broadcaster_user_id: '1',
        broadcaster_user_login: 'chan',
        broadcaster_user_name: 'Chan',
        total: 5,
        tier: '1000',
        cumulative_total: null,
        is_anonymous: true,
      },
      {
        message_type: 'subgift',
        user_id: 'anonymous',
        metadata: {
          eventsub_type: 'channel.subscription.gift',
          broadcaster_id: '1',
          tier: '1000',
          total: 5,
          is_anonymous: true,
        },
      },
    ],
    [
      'channel.subscription.message',
      {
        user_id: '5',
        user_login: 'sue',
        user_name: 'Sue',
        broadcaster_user_id: '1',
        broadcaster_user_login: 'chan',
        broadcaster_user_name: 'Chan',
        tier: '2000',
        message: { text: 'Love the stream!', emotes: [] },
        cumulative_months: 15,
        streak_months: 1,
        duration_months: 6,
      },
      {
        message_type: 'resub',
        message: 'Love the stream!',
        metadata: {
          eventsub_type: 'channel.subscription.message',
          broadcaster_id: '1',
          tier: '2000',
          cumulative_months: 15,
          streak_months: 1,
          duration_months: 6,
        },
      },
    ],
    [
      'channel.cheer',
      eventSubEvents.cheer('chan', 'bob', 100, twitchIdOf),
      {
        message_type: 'cheer',
        message: 'Cheer100 nice',
        metadata: {
          eventsub_type: 'channel.cheer',
          broadcaster_id: twitchIdOf('chan'),
          bits: 100,
          is_anonymous: false,
        },
      },
    ],
    [
      'channel.raid',
      eventSubEvents.raid('chan', 'raider', 77, twitchIdOf),
      {
        message_type: 'raid',
        user_name: 'raider',
        metadata: { eventsub_type: 'channel.raid', broadcaster_id: twitchIdOf('chan'), viewers: 77 },
      },
    ],
    [
      'stream.online',
      eventSubEvents.streamOnline('chan', twitchIdOf),
      { message_type: 'stream_online', user_name: 'chan' },
    ],
    [
      'stream.offline',
      { broadcaster_user_id: '1', broadcaster_user_login: 'Chan', broadcaster_user_name: 'Chan' },
      {
        message_type: 'stream_offline',
        user_id: '1',
        metadata: { eventsub_type: 'stream.offline', broadcaster_id: '1' },
      },
    ],
  ]
  for (const [type, payload, want] of cases) {
    test(type, () => {
      const e = eventSubToEvent(type, payload, 'evt-1')!
      assert.equal(e.entity_id, 'twitch:chan:chan')
      assert.equal(e.message_id, 'evt-1')
      for (const [k, v] of Object.entries(want)) assert.deepEqual((e as Record<string, unknown>)[k], v, k)
      assert.ok(inboundEventSchema.safeParse(e).success, 'valid for the router')
    })
  }
  test('unmapped types and payloads without a channel give nothing', () => {
    assert.equal(eventSubToEvent('channel.poll.begin', { broadcaster_user_login: 'chan' }, 'x'), undefined)
    assert.equal(eventSubToEvent('channel.follow', {}, 'x'), undefined)
  })
})

describe('router responses → Twitch items', () => {
  const origin = {
    platform: 'twitch' as const,
    server_id: 'chan',
    channel_id: 'chan',
    user_id: '42',
    user_name: 'troll',
    message_id: 'm-9',
    message_type: 'chatMessage',
  }
  test('chat, threads, whispers, forms, warn, delete / timeout / ban; overlays skipped', () => {
    const items = renderTwitch(
      'twitch:chan:chan',
      [
        { type: 'chat', text: 'hello' },
        { type: 'chat', text: 'threaded', reply_to: 'm-1' },
        { type: 'chat', text: 'secret', ephemeral: true },
        {
          type: 'form',
          title: 'Poll',
          fields: [
            { label: 'Question', value: 'Pizza?' },
            { name: 'Choices', value: 'yes/no' },
          ],
        },
        { type: 'media', media_type: 'audio', title: 'Song' },
        { type: 'ticker', text: 'tick' },
        { type: 'moderation', action: 'warn', reason: 'be nice' },
        { type: 'moderation', action: 'delete', reason: 'spam' },
        { type: 'moderation', action: 'timeout', reason: 'calm', duration: 30 },
        { type: 'moderation', action: 'ban', reason: 'bot' },
      ],
      origin,
      'reply',
      3,
    )
    assert.deepEqual(
      items.map((i) => [i.priority, i.payload]),
      [
        ['reply', { kind: 'say', channel: 'chan', text: 'hello' }],
        ['reply', { kind: 'say', channel: 'chan', text: 'threaded', replyTo: 'm-1' }],
        ['reply', { kind: 'whisper', channel: 'chan', toUserId: '42', text: 'secret' }],
        ['reply', { kind: 'say', channel: 'chan', text: 'Poll · Question: Pizza? · Choices: yes/no' }],
        ['moderation', { kind: 'say', channel: 'chan', text: '@troll be nice' }],
        [
          'moderation',
          {
            kind: 'moderation',
            channel: 'chan',
            action: 'delete',
            reason: 'spam',
            userId: '42',
            userName: 'troll',
            messageId: 'm-9',
          },
        ],
        [
          'moderation',
          {
            kind: 'moderation',
            channel: 'chan',
            action: 'timeout',
            reason: 'calm',
            userId: '42',
            userName: 'troll',
            messageId: 'm-9',
            durationSeconds: 30,
          },
        ],
        [
          'moderation',
          {
            kind: 'moderation',
            channel: 'chan',
            action: 'ban',
            reason: 'bot',
            userId: '42',
            userName: 'troll',
            messageId: 'm-9',
          },
        ],
      ],
    )
    assert.ok(items.every((i) => i.channel === 'chan'))
  })
  test('chat is one safe IRC line: no CR/LF injection, no / or . commands', () => {
    assert.equal(sanitizeChat('a\r\nPRIVMSG #other :pwned'), 'a PRIVMSG #other :pwned')
    assert.equal(sanitizeChat('/ban someone'), '\u200b/ban someone')
    assert.equal(sanitizeChat('.timeout x'), '\u200b.timeout x')
    assert.equal(sanitizeChat('ok / fine'), 'ok / fine')
  })
  test('not a Twitch entity: nothing', () => {
    assert.deepEqual(renderTwitch('discord:1:2', [{ type: 'chat', text: 'x' }], undefined, 'reply', 3), [])
  })
  test('TWITCH_IRC_URL → tmi.js connection', () => {
    assert.deepEqual(ircConnection('ws://127.0.0.1:4567'), { server: '127.0.0.1', port: 4567, secure: false })
    assert.deepEqual(ircConnection('wss://irc-ws.chat.twitch.tv:443'), {
      server: 'irc-ws.chat.twitch.tv',
      port: 443,
      secure: true,
    })
    assert.deepEqual(ircConnection('wss://example.com'), { server: 'example.com', port: 443, secure: true })
    assert.throws(() => ircConnection('http://x'), /ws:\/\/ or wss:\/\//)
  })
})
