import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inboundEventSchema } from '../../contract/events.js'
import {
  eventSubject,
  normalizeEvent,
  normalizeInteraction,
  normalizeSlashCommand,
  rolesOf,
  slashToMessage,
} from './normalize.js'

const ann = { id: 'U1', name: 'ann', displayName: 'Ann', isAdmin: true }

describe('slack normalization', () => {
  test('a channel message → chatMessage on slack:<team>:<channel>, valid for the router', () => {
    const e = normalizeEvent(
      {
        type: 'message',
        channel: 'C1',
        user: 'U1',
        text: '!ping',
        ts: '1.000001',
        thread_ts: '0.5',
        channel_type: 'channel',
      },
      'T1',
      ann,
      'Ev1',
    )
    assert.deepEqual(e, {
      platform: 'slack',
      server_id: 'T1',
      channel_id: 'C1',
      user_id: 'U1',
      user_name: 'ann',
      display_name: 'Ann',
      roles: ['admin'],
      entity_id: 'slack:T1:C1',
      message_type: 'chatMessage',
      message: '!ping',
      message_id: '1.000001',
      metadata: { event_id: 'Ev1', ts: '1.000001', thread_ts: '0.5', channel_type: 'channel', subtype: undefined },
    })
    assert.ok(inboundEventSchema.safeParse(e).success)
  })

  test('bot messages and edits/deletes are not forwarded; thread broadcasts and file shares are', () => {
    assert.equal(
      normalizeEvent({ type: 'message', channel: 'C1', user: 'U1', text: 'x', bot_id: 'B1' }, 'T1', ann),
      undefined,
    )
    assert.equal(
      normalizeEvent({ type: 'message', channel: 'C1', user: 'U1', text: 'x', subtype: 'message_changed' }, 'T1', ann),
      undefined,
    )
    assert.equal(
      normalizeEvent({ type: 'message', channel: 'C1', user: 'U1', text: 'x', subtype: 'message_deleted' }, 'T1', ann),
      undefined,
    )
    assert.equal(
      normalizeEvent({ type: 'message', channel: 'C1', user: 'U1', text: 'x', subtype: 'thread_broadcast' }, 'T1', ann)
        ?.message_type,
      'chatMessage',
    )
    assert.equal(
      normalizeEvent({ type: 'message', channel: 'C1', user: 'U1', text: 'x', subtype: 'file_share' }, 'T1', ann)
        ?.message_type,
      'chatMessage',
    )
  })

  test('reactions, joins, leaves and mentions', () => {
    const item = { type: 'message', channel: 'C2', ts: '9.9' }
    assert.equal(eventSubject({ type: 'reaction_added', user: 'U1', item, reaction: 'duck' }, 'T1')?.channel, 'C2')
    const r = normalizeEvent({ type: 'reaction_added', user: 'U1', item, reaction: 'duck' }, 'T1', ann)
    assert.deepEqual([r?.message_type, r?.message, r?.channel_id], ['reaction', 'duck', 'C2'])
    assert.equal(
      normalizeEvent({ type: 'member_joined_channel', user: 'U1', channel: 'C1' }, 'T1', ann)?.message_type,
      'member_join',
    )
    assert.equal(
      normalizeEvent({ type: 'member_left_channel', user: 'U1', channel: 'C1' }, 'T1', ann)?.message_type,
      'member_leave',
    )
    assert.equal(
      normalizeEvent({ type: 'app_mention', user: 'U1', channel: 'C1', text: '<@UBOT> hi', ts: '1.1' }, 'T1', ann)
        ?.message_type,
      'app_mention',
    )
    assert.equal(normalizeEvent({ type: 'team_join', user: { id: 'U1' } }, 'T1', ann), undefined)
    assert.equal(eventSubject({ type: 'message', channel: 'C1', text: 'no user' }, 'T1'), undefined)
  })

  test('slash commands become commands the router parses', () => {
    assert.equal(slashToMessage('/waddlebot', 'ping'), '!ping')
    assert.equal(slashToMessage('/waddlebot', '  #quote add "hi there" '), '#quote add "hi there"')
    assert.equal(slashToMessage('/waddlebot', '!so bob'), '!so bob')
    assert.equal(slashToMessage('/waddlebot', ''), '!help')
    assert.equal(slashToMessage('/Ping', ''), '!ping')
    assert.equal(slashToMessage('/so', 'bob'), '!so bob')
    const e = normalizeSlashCommand(
      {
        team_id: 'T1',
        channel_id: 'C1',
        user_id: 'U1',
        command: '/waddlebot',
        text: 'ping',
        trigger_id: 't.1',
        response_url: 'https://hooks/x',
      },
      ann,
    )
    assert.equal(e?.message_type, 'slashCommand')
    assert.equal(e?.message, '!ping')
    assert.equal(e?.metadata?.response_url, 'https://hooks/x')
    assert.ok(inboundEventSchema.safeParse(e).success)
    assert.equal(normalizeSlashCommand({ team_id: 'T1', user_id: 'U1', command: '/waddlebot' }, ann), undefined)
  })

  test('interactions carry the action id and value; without a channel they are dropped', () => {
    const e = normalizeInteraction(
      {
        type: 'block_actions',
        team: { id: 'T1' },
        channel: { id: 'C1' },
        user: { id: 'U1' },
        actions: [{ action_id: 'a:b:c', value: 'v', block_id: 'b' }],
      },
      ann,
    )
    assert.deepEqual([e?.message_type, e?.message, e?.metadata?.custom_id], ['interaction', 'v', 'a:b:c'])
    assert.equal(
      normalizeInteraction(
        { type: 'view_submission', team: { id: 'T1' }, user: { id: 'U1' }, view: { callback_id: 'x' } },
        ann,
      ),
      undefined,
    )
  })

  test('workspace owners and admins map to owner/admin', () => {
    assert.deepEqual(rolesOf({ id: 'U', name: 'u', isOwner: true }), ['owner', 'admin'])
    assert.deepEqual(rolesOf({ id: 'U', name: 'u', isAdmin: true }), ['admin'])
    assert.deepEqual(rolesOf({ id: 'U', name: 'u' }), [])
  })
})
