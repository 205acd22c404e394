import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { DISCORD_MESSAGE_LIMIT, type DiscordMessage, discordRenderer, EMBED_COLOR, renderDiscord } from './render.js'

describe('discord rendering', () => {
  test('short chat is one message; reply_to and ephemeral are kept', () => {
    assert.deepEqual(renderDiscord([{ type: 'chat', text: 'pong', reply_to: '42', ephemeral: true }]), [
      { kind: 'message', content: 'pong', ephemeral: true, replyTo: '42' },
    ])
  })

  test('long chat splits at 2000 at word boundaries, capped with an ellipsis', () => {
    const words = Array.from({ length: 1500 }, (_, i) => `wörd${i}🐧`)
    const text = words.join(' ')
    const parts = renderDiscord([{ type: 'chat', text }], { maxParts: 3 }) as DiscordMessage[]
    assert.equal(parts.length, 3)
    for (const p of parts) assert.ok(p.content!.length <= DISCORD_MESSAGE_LIMIT)
    assert.ok(parts[2]!.content!.endsWith('…'))
    for (const p of parts.slice(0, 2)) for (const w of p.content!.split(' ')) assert.ok(words.includes(w), w)
    const all = renderDiscord([{ type: 'chat', text }], { maxParts: 20 }) as DiscordMessage[]
    assert.equal(all.map((p) => p.content).join(' '), text)
  })

  test('a form is an embed with one field per form field, within Discord limits', () => {
    const fields = [
      { label: 'Name', value: 'Ann' },
      { name: 'Level', value: 7 },
      { key: 'Tags', value: ['a', 'b'] },
      { label: 'Empty' },
      { label: 'Long', value: 'x'.repeat(3000) },
    ]
    const [msg] = renderDiscord([{ type: 'form', title: 'Profile', fields }]) as DiscordMessage[]
    const embed = msg!.embeds![0]!
    assert.equal(embed.title, 'Profile')
    assert.equal(embed.color, EMBED_COLOR)
    assert.deepEqual(embed.fields!.slice(0, 4), [
      { name: 'Name', value: 'Ann', inline: false },
      { name: 'Level', value: '7', inline: false },
      { name: 'Tags', value: '["a","b"]', inline: false },
      { name: 'Empty', value: '\u200b', inline: false },
    ])
    assert.ok(embed.fields![4]!.value.length <= 1024 && embed.fields![4]!.value.endsWith('…'))
    const many = renderDiscord([
      { type: 'form', title: 't', fields: Array.from({ length: 40 }, (_, i) => ({ label: `f${i}`, value: i })) },
    ]) as DiscordMessage[]
    assert.equal(many[0]!.embeds![0]!.fields!.length, 25)
  })

  test('media is a "Now playing" embed; non-http URLs are left out', () => {
    const [msg] = renderDiscord([
      {
        type: 'media',
        media_type: 'audio',
        title: 'Song',
        artist: 'Band',
        art_url: 'https://a/art.png',
        media_url: 'javascript:alert(1)',
      },
    ]) as DiscordMessage[]
    assert.deepEqual(msg!.embeds, [
      {
        author: { name: 'Now playing' },
        title: 'Song',
        color: EMBED_COLOR,
        description: 'Band',
        thumbnail: { url: 'https://a/art.png' },
      },
    ])
  })

  test('ticker and general are overlay-only; moderation is passed on as an action', () => {
    const out = discordRenderer.render([
      { type: 'ticker', text: 'news' },
      { type: 'general', content: 'x' },
      { type: 'moderation', action: 'timeout', reason: 'spam', duration: 30 },
    ])
    assert.deepEqual(out, [{ kind: 'moderation', action: 'timeout', reason: 'spam', duration: 30 }])
  })
})
