import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fillTemplate, MAX_RESPONDS, reactionFor, type ReactionEvent } from './actions.js'
import { rule } from './test-helpers.js'
import type { MatchHit, StringRule } from './types.js'

const event: ReactionEvent = {
  platform: 'twitch',
  server_id: '42',
  channel_id: '42',
  user_id: 'u1',
  user_name: 'ann',
  display_name: 'Ann',
  message: 'buy cheap followers',
  message_id: 'm-9',
}
const hit = (r: StringRule, matched = 'x'): MatchHit => ({ rule: r, matched })
const NOW = new Date('2024-05-01T12:00:00Z')

describe('reactionFor', () => {
  test('no hits: nothing to do', () => {
    assert.deepEqual(reactionFor([], event), { responses: [], webhooks: [], ruleIds: [] })
  })

  test('one moderation response: the best priority wins over stronger but later rules', () => {
    const hits = [
      hit(rule('a', { id: 1, action: 'delete', priority: 5 })),
      hit(rule('b', { id: 2, action: 'ban', priority: 10 })),
    ]
    const r = reactionFor(hits, event)
    assert.deepEqual(r.responses, [{ type: 'moderation', action: 'delete', reason: 'matched moderation rule 1' }])
    assert.deepEqual(r.ruleIds, [1])
  })

  test('equal priority: ban > timeout > delete > warn, whatever the order', () => {
    const actions = ['warn', 'timeout', 'ban', 'delete'] as const
    const hits = actions.map((action, i) => hit(rule('x', { id: i + 1, action, priority: 7 })))
    for (const order of [hits, [...hits].reverse()]) {
      assert.deepEqual(reactionFor(order, event).responses, [
        { type: 'moderation', action: 'ban', reason: 'matched moderation rule 3' },
      ])
    }
    const noBan = hits.filter((h) => h.rule.action !== 'ban')
    assert.deepEqual(reactionFor(noBan, event).responses, [
      { type: 'moderation', action: 'timeout', reason: 'matched moderation rule 2', duration: 600 },
    ])
  })

  test('timeout carries its duration; the reason is the rule text with placeholders filled', () => {
    const r = reactionFor(
      [hit(rule('x', { id: 3, action: 'timeout', timeout_seconds: 60, action_value: 'no spam, {user}' }))],
      event,
    )
    assert.deepEqual(r.responses, [{ type: 'moderation', action: 'timeout', reason: 'no spam, ann', duration: 60 }])
  })

  test('respond: every hit answers in priority order, at most 3, {user} filled', () => {
    const hits = [5, 1, 4, 2, 3].map((p) =>
      hit(rule('x', { id: p, priority: p, action: 'respond', action_value: `#${p} hi {user} ({display_name})` })),
    )
    const r = reactionFor(hits, event)
    assert.equal(r.responses.length, MAX_RESPONDS)
    assert.deepEqual(
      r.responses,
      [1, 2, 3].map((p) => ({ type: 'chat', text: `#${p} hi ann (Ann)` })),
    )
  })

  test('moderation and responds together: moderation first', () => {
    const r = reactionFor(
      [
        hit(rule('x', { id: 1, action: 'respond', action_value: 'hey' })),
        hit(rule('y', { id: 2, action: 'warn', action_value: 'careful' })),
      ],
      event,
    )
    assert.deepEqual(r.responses, [
      { type: 'moderation', action: 'warn', reason: 'careful' },
      { type: 'chat', text: 'hey' },
    ])
    assert.deepEqual(r.ruleIds, [2, 1])
  })

  test('command: the best command hit, prefix kept, {user} and {message} filled', () => {
    const hits = [
      hit(rule('x', { id: 2, priority: 50, action: 'command', action_value: '#later {user}' })),
      hit(rule('y', { id: 1, priority: 10, action: 'command', action_value: '!so {user} said {message}' })),
    ]
    assert.equal(reactionFor(hits, event).command, '!so ann said buy cheap followers')
    assert.equal(reactionFor([hits[0]], event).command, '#later ann')
  })

  test('webhook: the payload names the rule, the user and the context', () => {
    const r = reactionFor(
      [hit(rule('cheap', { id: 8, action: 'webhook', action_value: 'http://127.0.0.1:9/hook' }), 'cheap')],
      event,
      NOW,
    )
    assert.deepEqual(r.webhooks, [
      {
        url: 'http://127.0.0.1:9/hook',
        payload: {
          type: 'string_match',
          rule_id: 8,
          pattern: 'cheap',
          match_type: 'contains',
          action: 'webhook',
          matched: 'cheap',
          message_content: 'buy cheap followers',
          user: { id: 'u1', name: 'ann', display_name: 'Ann' },
          context: {
            platform: 'twitch',
            server_id: '42',
            channel_id: '42',
            entity_id: 'twitch:42:42',
            message_id: 'm-9',
            timestamp: '2024-05-01T12:00:00.000Z',
          },
        },
      },
    ])
  })

  test('unsorted input is sorted first', () => {
    const hits = [
      hit(rule('x', { id: 9, priority: 9, action: 'ban' })),
      hit(rule('x', { id: 1, priority: 1, action: 'warn' })),
    ]
    assert.deepEqual(reactionFor(hits, event).responses[0], {
      type: 'moderation',
      action: 'warn',
      reason: 'matched moderation rule 1',
    })
  })
})

describe('fillTemplate', () => {
  test('placeholders are filled once and never re-expanded', () => {
    const sneaky = { ...event, user_name: '{message}', message: '{user}' }
    assert.equal(fillTemplate('{user}|{message}|{entity}|{unknown}', sneaky), '{message}|{user}|twitch:42:42|{unknown}')
  })
})
