import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { planOps } from './plan.js'
import { createSlackRenderer, escapeSlack, SLACK_SECTION_LIMIT, type SlackRendered, splitForSlack } from './render.js'

const messages = (r: SlackRendered[]) =>
  r.filter((m): m is Extract<SlackRendered, { kind: 'message' }> => m.kind === 'message')
/** No lone surrogate (a multi-byte character cut in half). */
const wellFormed = (s: string) => !/\p{Cs}/u.test(s)
const unescapeSlack = (s: string) => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&')

describe('slack rendering', () => {
  test('short chat is one plain message; control characters are escaped', () => {
    const out = createSlackRenderer().render([{ type: 'chat', text: 'hi <!channel> & <@U1>' }])
    assert.deepEqual(out, [{ kind: 'message', text: 'hi &lt;!channel&gt; &amp; &lt;@U1&gt;' }])
  })

  test('text over 3,000 becomes section blocks of ≤ 3,000 with the text as fallback', () => {
    const text = Array.from({ length: 1000 }, (_, i) => `wörd${i}`).join(' ')
    const [m] = messages(createSlackRenderer().render([{ type: 'chat', text }]))
    assert.ok(m?.blocks && m.blocks.length === Math.ceil(text.length / SLACK_SECTION_LIMIT))
    const sections = m.blocks.map((b) => (b as { text: { text: string } }).text.text)
    for (const s of sections) assert.ok(s.length <= SLACK_SECTION_LIMIT)
    assert.equal(sections.join(' '), text)
    assert.equal(m.text, text)
  })

  test('splits at whitespace only and keeps multi-byte graphemes whole, at small limits too', () => {
    const words = ['añb', '👩‍👩‍👧', '🇫🇷', '世界', 'x&y']
    const text = Array.from({ length: 400 }, (_, i) => words[i % words.length]).join(' ')
    const out = messages(
      createSlackRenderer({ messageLimit: 120, sectionLimit: 40, maxMessages: 100 }).render([{ type: 'chat', text }]),
    )
    const got: string[] = []
    for (const m of out) {
      assert.ok(m.text.length <= 120 && wellFormed(m.text))
      for (const b of m.blocks ?? []) assert.ok((b as { text: { text: string } }).text.text.length <= 40)
      got.push(...unescapeSlack(m.text).split(' '))
    }
    assert.deepEqual(got, text.split(' '))
  })

  test('escaping never pushes a part over the limit', () => {
    const text = '&&&& '.repeat(5000)
    for (const part of splitForSlack(text, 3000, 100))
      assert.ok(escapeSlack(part).length <= 3000, String(escapeSlack(part).length))
  })

  test('at most maxMessages per reply, the last ending with …', () => {
    const text = 'word '.repeat(100)
    const out = messages(
      createSlackRenderer({ messageLimit: 50, maxMessages: 3 }).render([
        { type: 'chat', text },
        { type: 'chat', text: 'dropped' },
      ]),
    )
    assert.equal(out.length, 3)
    assert.ok(out[2]!.text.endsWith('…'))
    assert.ok(!out.some((m) => m.text === 'dropped'))
  })

  test('ephemeral and reply_to are kept; ticker/general are overlay-only; moderation passes through', () => {
    const out = createSlackRenderer().render([
      { type: 'chat', text: 'psst', ephemeral: true, reply_to: '1.2' },
      { type: 'ticker', text: 'news' },
      { type: 'general', content: '<b>x</b>' },
      { type: 'moderation', action: 'timeout', reason: 'spam', duration: 60 },
    ])
    assert.deepEqual(out, [
      { kind: 'message', text: 'psst', ephemeral: true, replyTo: '1.2' },
      { kind: 'moderation', action: 'timeout', reason: 'spam', duration: 60 },
    ])
  })

  test('media and forms are Block Kit', () => {
    const [media, form] = messages(
      createSlackRenderer().render([
        {
          type: 'media',
          media_type: 'audio',
          title: 'Song',
          artist: 'Band',
          art_url: 'https://img.example/a.png',
          media_url: 'https://x.example/s',
        },
        {
          type: 'form',
          title: 'Sign up',
          fields: [
            { name: 'email', label: 'E-mail', type: 'email', required: true },
            { name: 'n', type: 'number' },
          ],
        },
      ]),
    )
    assert.equal(media!.text, 'Now playing: Song — Band')
    assert.deepEqual((media!.blocks![0] as { accessory: unknown }).accessory, {
      type: 'image',
      image_url: 'https://img.example/a.png',
      alt_text: 'Song — Band',
    })
    assert.equal(form!.blocks![0]!.type, 'header')
    assert.deepEqual(
      form!.blocks!.slice(1).map((b) => (b as { text: { text: string } }).text.text),
      ['*E-mail* (email, required)', '*n* (number)'],
    )
    assert.equal(form!.text, 'Sign up: E-mail, n')
  })

  test('a media card is left out when the reply already has a chat line (no double "Now playing")', () => {
    const out = createSlackRenderer().render([
      { type: 'media', media_type: 'audio', title: 'Song' },
      { type: 'chat', text: 'Now playing: Song' },
    ])
    assert.deepEqual(out, [{ kind: 'message', text: 'Now playing: Song' }])
  })
})

describe('slack reply planning', () => {
  const target = { channel: 'C1', user: 'U1', messageTs: '1.1', threadTs: '0.9' }

  test('replies go to the thread, ephemeral lines to the user, moderation first-class', () => {
    const ops = planOps(
      [
        { kind: 'message', text: 'a' },
        { kind: 'message', text: 'b', ephemeral: true },
        { kind: 'moderation', action: 'delete', reason: 'r' },
        { kind: 'moderation', action: 'warn', reason: 'careful' },
        { kind: 'moderation', action: 'ban', reason: 'bye' },
        { kind: 'moderation', action: 'timeout', reason: 'calm' },
      ],
      target,
    )
    assert.deepEqual(
      ops.map((o) => [o.priority, o.payload]),
      [
        ['reply', { op: 'post', channel: 'C1', text: 'a', thread_ts: '0.9' }],
        ['reply', { op: 'ephemeral', channel: 'C1', user: 'U1', text: 'b', thread_ts: '0.9' }],
        ['moderation', { op: 'delete', channel: 'C1', ts: '1.1', reason: 'r' }],
        ['moderation', { op: 'ephemeral', channel: 'C1', user: 'U1', text: '⚠️ careful', thread_ts: '0.9' }],
        ['moderation', { op: 'kick', channel: 'C1', user: 'U1', reason: 'bye' }],
        [
          'moderation',
          {
            op: 'report',
            channel: 'C1',
            action: 'timeout',
            reason: 'calm',
            why: 'Slack has no timeouts',
            thread_ts: '0.9',
          },
        ],
      ],
    )
  })

  test('without a triggering message or user, delete and ban are reported instead', () => {
    const ops = planOps(
      [
        { kind: 'moderation', action: 'delete', reason: 'r' },
        { kind: 'moderation', action: 'ban', reason: 'b' },
        { kind: 'message', text: 'x', replyTo: '5.5' },
      ],
      { channel: 'C2' },
      'announcement',
    )
    assert.deepEqual(
      ops.map((o) => o.payload),
      [
        { op: 'report', channel: 'C2', action: 'delete', reason: 'r', why: 'there is no message to delete' },
        { op: 'report', channel: 'C2', action: 'ban', reason: 'b', why: 'there is no user to remove' },
        { op: 'post', channel: 'C2', text: 'x', thread_ts: '5.5' },
      ],
    )
    assert.equal(ops[2]!.priority, 'announcement')
  })
})
