/** A general display's clip: only Twitch's clip player (or a loopback fake) may be framed; a 400 names the field. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { WaddleError } from '../../runtime/errors.js'
import { type GeneralData, parseDisplay } from './display.js'
import { pageHeaders } from './pages.js'

const display = (clip: unknown) =>
  parseDisplay({ community_id: 'c', type: 'general', data: { content: '<b>x</b>', clip } })

test('a Twitch clip embed is kept with autoplay on and sound on by default', () => {
  const data = display({ embed_url: 'https://clips.twitch.tv/embed?clip=Abc', thumbnail_url: 'https://x.test/t.jpg' })
    .data as GeneralData
  assert.deepEqual(data.clip, {
    embed_url: 'https://clips.twitch.tv/embed?clip=Abc',
    thumbnail_url: 'https://x.test/t.jpg',
    autoplay: true,
    muted: false,
  })
})

test('any other frame source is refused naming data.clip.embed_url', () => {
  for (const embed_url of [
    'https://evil.example/embed?clip=1',
    'javascript:alert(1)',
    'http://clips.twitch.tv/embed',
  ]) {
    assert.throws(
      () => display({ embed_url }),
      (e: unknown) =>
        e instanceof WaddleError && e.code === 'WB_INPUT_INVALID' && /data\.clip\.embed_url/.test(e.message),
      embed_url,
    )
  }
})

test('the overlay CSP frames only the clip players', () => {
  const csp = pageHeaders('n')['content-security-policy']!
  assert.match(csp, /frame-src https:\/\/clips\.twitch\.tv http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*(;|$)/)
})
