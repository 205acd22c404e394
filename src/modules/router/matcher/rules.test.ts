import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isWaddleError } from '../../../runtime/errors.js'
import {
  addRule,
  getRule,
  listRules,
  loadMatcher,
  recordMatches,
  removeRule,
  rulesFingerprint,
  updateRule,
} from './rules.js'
import { matrix, type OpenBackend } from './test-backends.js'

/** Runs `work` and returns the field a WB_INPUT_INVALID names (or the code of another WaddleError). */
async function refusal(work: () => Promise<unknown>): Promise<string> {
  try {
    await work()
  } catch (error) {
    if (isWaddleError(error)) return error.code === 'WB_INPUT_INVALID' ? String(error.params.field) : error.code
    throw error
  }
  return 'accepted'
}

for (const backend of await matrix()) {
  describe(`stringmatch rules on ${backend.name}`, { skip: backend.skip }, () => {
    let b: OpenBackend
    before(async () => {
      b = await backend.open()
    })
    after(async () => b?.close())

    test('addRule fills the defaults and returns the stored rule', async () => {
      const rule = await addRule(b.storage, { pattern: 'spam' })
      assert.ok(Number.isInteger(rule.id) && rule.id > 0)
      assert.deepEqual(
        { ...rule, id: 0, created_at: 0, updated_at: 0 },
        {
          id: 0,
          pattern: 'spam',
          match_type: 'contains',
          case_sensitive: false,
          priority: 100,
          entity_id: null,
          action: 'warn',
          action_value: null,
          timeout_seconds: null,
          enabled: true,
          created_by: null,
          created_at: 0,
          updated_at: 0,
          match_count: 0,
        },
      )
      assert.ok(rule.created_at > 1_600_000_000_000 && rule.updated_at === rule.created_at)
      assert.deepEqual(await getRule(b.storage, rule.id), rule)
      await removeRule(b.storage, rule.id)
    })

    test('Unicode patterns and values survive the round trip', async () => {
      const rule = await addRule(b.storage, {
        pattern: '🍆 straße İ e\u0301',
        action: 'respond',
        action_value: 'nö {user} 😀',
        case_sensitive: true,
      })
      assert.equal((await getRule(b.storage, String(rule.id))).pattern, '🍆 straße İ e\u0301')
      assert.equal(rule.action_value, 'nö {user} 😀')
      assert.equal(rule.case_sensitive, true)
      await removeRule(b.storage, rule.id)
    })

    const bad: [string, Record<string, unknown>, string][] = [
      ['no pattern', {}, 'pattern'],
      ['empty pattern', { pattern: '' }, 'pattern'],
      ['blank word', { pattern: '   ', match_type: 'word' }, 'pattern'],
      ['pattern too long', { pattern: 'x'.repeat(501) }, 'pattern'],
      ['lone surrogate', { pattern: 'a\ud800' }, 'pattern'],
      ['invalid regex', { pattern: '(unclosed', match_type: 'regex' }, 'pattern'],
      ['backreference', { pattern: '(a)\\1', match_type: 'regex' }, 'pattern'],
      ['lookahead', { pattern: 'a(?=b)', match_type: 'regex' }, 'pattern'],
      ['unknown match type', { pattern: 'x', match_type: 'fuzzy' }, 'match_type'],
      ['unknown action', { pattern: 'x', action: 'explode' }, 'action'],
      ['respond without text', { pattern: 'x', action: 'respond' }, 'action_value'],
      ['command without prefix', { pattern: 'x', action: 'command', action_value: 'so {user}' }, 'action_value'],
      ['webhook not http', { pattern: 'x', action: 'webhook', action_value: 'ftp://127.0.0.1/x' }, 'action_value'],
      ['duration on a ban', { pattern: 'x', action: 'ban', timeout_seconds: 60 }, 'timeout_seconds'],
      ['zero duration', { pattern: 'x', action: 'timeout', timeout_seconds: 0 }, 'timeout_seconds'],
      ['fractional priority', { pattern: 'x', priority: 1.5 }, 'priority'],
      ['string boolean', { pattern: 'x', case_sensitive: 'yes' }, 'case_sensitive'],
      ['empty entity', { pattern: 'x', entity_id: '' }, 'entity_id'],
      ['unknown field', { pattern: 'x', colour: 'red' }, 'colour'],
    ]
    for (const [name, input, field] of bad) {
      test(`refused: ${name} → field ${field}`, async () => {
        assert.equal(await refusal(() => addRule(b.storage, input)), field)
      })
    }

    test('listRules: priority then id; entity filter = global + that entity; enabledOnly', async () => {
      const r1 = await addRule(b.storage, { pattern: 'a', priority: 50 })
      const r2 = await addRule(b.storage, { pattern: 'b', priority: 10, entity_id: 'twitch:1:1' })
      const r3 = await addRule(b.storage, { pattern: 'c', priority: 50, entity_id: 'twitch:2:2' })
      const r4 = await addRule(b.storage, { pattern: 'd', priority: 10, enabled: false })
      const ids = (rules: { id: number }[]) => rules.map((r) => r.id)
      assert.deepEqual(ids(await listRules(b.storage)), [r2.id, r4.id, r1.id, r3.id])
      assert.deepEqual(ids(await listRules(b.storage, { entityId: 'twitch:1:1' })), [r2.id, r4.id, r1.id])
      assert.deepEqual(ids(await listRules(b.storage, { entityId: 'twitch:1:1', enabledOnly: true })), [r2.id, r1.id])
      const matcher = await loadMatcher(b.storage)
      assert.equal(matcher.size, 3)
      assert.deepEqual(
        matcher.match('a b c d', 'twitch:2:2').map((h) => h.rule.id),
        [r1.id, r3.id],
      )
      for (const r of [r1, r2, r3, r4]) await removeRule(b.storage, r.id)
    })

    test('updateRule: partial, validated as a whole, timeout cleared when the action changes', async () => {
      const rule = await addRule(b.storage, { pattern: 'x', action: 'timeout', timeout_seconds: 30 })
      const patched = await updateRule(b.storage, rule.id, { priority: 5, enabled: false })
      assert.equal(patched.priority, 5)
      assert.equal(patched.enabled, false)
      assert.equal(patched.timeout_seconds, 30)
      assert.ok(patched.updated_at > rule.updated_at)
      assert.equal(
        await refusal(() => updateRule(b.storage, rule.id, { match_type: 'regex', pattern: '(' })),
        'pattern',
      )
      assert.equal(await refusal(() => updateRule(b.storage, rule.id, { action: 'respond' })), 'action_value')
      assert.equal(await refusal(() => updateRule(b.storage, rule.id, {})), 'body')
      assert.equal(await refusal(() => updateRule(b.storage, rule.id, { id: 9 })), 'id')
      const banned = await updateRule(b.storage, rule.id, { action: 'ban' })
      assert.equal(banned.timeout_seconds, null)
      assert.equal((await getRule(b.storage, rule.id)).action, 'ban')
      await removeRule(b.storage, rule.id)
    })

    test('unknown ids: WB_RULE_UNKNOWN for get, update and remove', async () => {
      for (const id of [999_999, 'nope', '-1', 0]) {
        assert.equal(await refusal(() => getRule(b.storage, id)), 'WB_RULE_UNKNOWN')
        assert.equal(await refusal(() => updateRule(b.storage, id, { priority: 1 })), 'WB_RULE_UNKNOWN')
        assert.equal(await refusal(() => removeRule(b.storage, id)), 'WB_RULE_UNKNOWN')
      }
    })

    test('the fingerprint moves on add, update and remove, not on match counts', async () => {
      const f0 = await rulesFingerprint(b.storage)
      const rule = await addRule(b.storage, { pattern: 'fp' })
      const f1 = await rulesFingerprint(b.storage)
      assert.notEqual(f1, f0)
      await recordMatches(b.storage, [rule.id, rule.id])
      await recordMatches(b.storage, [])
      assert.equal(await rulesFingerprint(b.storage), f1)
      assert.equal((await getRule(b.storage, rule.id)).match_count, 1)
      await updateRule(b.storage, rule.id, { pattern: 'fp2' })
      const f2 = await rulesFingerprint(b.storage)
      assert.notEqual(f2, f1)
      await removeRule(b.storage, rule.id)
      assert.notEqual(await rulesFingerprint(b.storage), f2)
    })
  })
}
