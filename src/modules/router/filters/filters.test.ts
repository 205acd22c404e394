/**
 * The filters on their own (pure): each catches its cases and passes near misses; exemptions; settings
 * parsing; and a corpus of ordinary chat with every filter on at its defaults gives zero hits.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { isWaddleError } from '../../../runtime/errors.js'
import { parseChatLog } from '../matcher/chat-log.js'
import { compileFilters, evaluate, type FilterInput, FilterScratch } from './evaluate.js'
import { findLinks, isAllowed } from './links.js'
import { parseAssignments, resolveSettings } from './settings.js'
import { FILTER_NAMES, type FilterName } from './types.js'

const ALL_ON = Object.fromEntries(FILTER_NAMES.map((n) => [n, { enabled: true }]))
const everyFilter = compileFilters(resolveSettings(ALL_ON))
const scratch = new FilterScratch()
const hitsOf = (text: string, extra: Partial<FilterInput> = {}, compiled = everyFilter): FilterName[] =>
  evaluate(compiled, { text, firstTime: 'no', ...extra }, scratch, true).map((h) => h.filter)

const links = (text: string): string[] => {
  const out: string[] = []
  findLinks(text, out)
  return out
}

describe('links', () => {
  const cases: [string, string[]][] = [
    ['check out example.com now', ['example.com']],
    ['https://spam.xyz/free-followers', ['spam.xyz']],
    ['go to www.bigfollows.net today', ['www.bigfollows.net']],
    ['EXAMPLE.COM', ['example.com']],
    ['best viewers on example . com', ['example.com']],
    ['best viewers on example dot com', ['example.com']],
    ['best viewers on example DOT net', ['example.net']],
    ['example(dot)com', ['example.com']],
    ['example [.] com', ['example.com']],
    ['example .com', ['example.com']],
    ['join discord.gg/abc123', ['discord.gg']],
    ['join discord. gg/abc123', ['discord.gg']],
    ['youtu.be/dQw4w9WgXcQ', ['youtu.be']],
    ['clips.twitch.tv/FunnyClip', ['clips.twitch.tv']],
    ['bbc.co.uk/news', ['bbc.co.uk']],
    ['mail me: bob@example.org', ['example.org']],
  ]
  for (const [text, hosts] of cases)
    test(`given ${JSON.stringify(text)}, finds ${hosts.join(', ')}`, () => assert.deepEqual(links(text), hosts))

  const chat = [
    'ok.so what now',
    'i.e. the worst',
    'e.g. this',
    'it costs 3.50',
    'v1.2.3 is out',
    'the dot com era',
    'polka dot penguin',
    'St. Louis',
    'wait...what',
    'node.js or deno',
    'readme.md',
    'see settings.json',
    'fun. Come on',
    'it.is what it is',
    'gg. wp',
    'U.S. and U.K.',
  ]
  for (const text of chat) test(`given ${JSON.stringify(text)}, finds no link`, () => assert.deepEqual(links(text), []))

  test('allowed domains and their subdomains pass; look-alikes do not', () => {
    assert.ok(isAllowed('youtube.com', ['youtube.com']))
    assert.ok(isAllowed('music.youtube.com', ['youtube.com']))
    assert.ok(!isAllowed('notyoutube.com', ['youtube.com']))
    const allowing = compileFilters(resolveSettings({ links: { enabled: true, allow: ['youtube.com'] } }))
    assert.deepEqual(hitsOf('watch youtube.com/watch?v=1', {}, allowing), [])
    assert.deepEqual(hitsOf('watch notyoutube.com', {}, allowing), ['links'])
    assert.deepEqual(hitsOf('youtube.com and spam.xyz', {}, allowing), ['links'])
  })
})

describe('each filter catches its cases', () => {
  const cases: [string, string, Partial<FilterInput>, FilterName[]][] = [
    ['caps', 'THIS IS WAY TOO LOUD FOR CHAT', {}, ['caps']],
    ['caps: short shouting passes', 'LETS GO', {}, []],
    [
      'caps: platform emote names are not capitals',
      'LUL LUL OMEGALUL KEKW LUL',
      { emoteNames: new Set(['LUL', 'OMEGALUL', 'KEKW']) },
      [],
    ],
    ['symbols', '!!??##$$%%^^&&**((', {}, ['symbols']],
    ['symbols: ascii art', '░░▄▀▀▀▄░░ ░█▒▒▒▒█░ ▀▄▄▄▄▀ ▐▌▐▌', {}, ['symbols']],
    ['repetition: characters', 'waaaaaaaaaaaaaaaaaaat', {}, ['repetition']],
    ['repetition: words', 'follow follow follow follow follow follow follow', {}, ['repetition']],
    ['repetition: a few repeats pass', 'no no no no', {}, []],
    ['emotes: emoji', '😂😂😂 🔥🔥🔥 ❤️❤️❤️ 🎉🎉', {}, ['emotes']],
    ['emotes: a ZWJ family is one emoji', '👨‍👩‍👧‍👦 👨‍👩‍👧‍👦 👨‍👩‍👧‍👦', {}, []],
    [
      'emotes: Twitch emote names',
      Array(11).fill('Kappa').join(' '),
      { emoteNames: new Set(['Kappa']) },
      ['repetition', 'emotes'],
    ],
    ['emotes: Discord custom emoji', Array(11).fill('<:pog:123456789012345678>').join(''), {}, ['emotes']],
    ['length', 'word '.repeat(90), {}, ['length', 'repetition']],
    ['zalgo', 'h̷̢̛̭̦e̸͉̖̓l̴̡̛̪̝l̷o̵̮͈̓ ̵w̶o̷r̷l̴d̶', {}, ['zalgo']],
    ['zalgo: decomposed Vietnamese passes', 'Xin chào mọi người'.normalize('NFD'), {}, []],
    [
      'first-chatter: a first message with a link',
      'hey check example.com',
      { firstTime: 'yes' },
      ['first-chatter', 'links'],
    ],
    ['first-chatter: not a first message', 'hey check example.com', { firstTime: 'no' }, ['links']],
  ]
  for (const [name, text, extra, expected] of cases) test(name, () => assert.deepEqual(hitsOf(text, extra), expected))

  test('a filter that is off does not fire, and thresholds are settings', () => {
    const capsOnly = compileFilters(resolveSettings({ caps: { enabled: true, percent: 90, min_length: 5 } }))
    assert.deepEqual(hitsOf('example.com', {}, capsOnly), [])
    assert.deepEqual(hitsOf('HELLO THERE friend', {}, capsOnly), [])
    assert.deepEqual(hitsOf('HELLO THERE FRIEND', {}, capsOnly), ['caps'])
  })
})

describe('exemptions', () => {
  test('moderators and the broadcaster pass by default; VIPs and subscribers do not', () => {
    assert.deepEqual(hitsOf('spam.xyz', { roles: ['moderator'] }), [])
    assert.deepEqual(hitsOf('spam.xyz', { roles: ['broadcaster'] }), [])
    assert.deepEqual(hitsOf('spam.xyz', { roles: ['vip'] }), ['links'])
    assert.deepEqual(hitsOf('spam.xyz', { roles: ['subscriber'] }), ['links'])
  })
  test('exempt roles and labels are per filter', () => {
    const c = compileFilters(
      resolveSettings({
        links: { enabled: true, exempt: ['vip', 'subscriber'], exempt_labels: ['trusted'] },
        caps: { enabled: true },
      }),
    )
    assert.deepEqual(hitsOf('spam.xyz', { roles: ['vip'] }, c), [])
    assert.deepEqual(hitsOf('spam.xyz', { roles: ['moderator'] }, c), ['links'], 'the list replaces the default')
    assert.deepEqual(hitsOf('spam.xyz', { labels: ['trusted'] }, c), [])
    assert.deepEqual(hitsOf('SUBSCRIBERS CAN STILL SHOUT TOO MUCH', { roles: ['subscriber'] }, c), ['caps'])
  })
})

describe('settings', () => {
  test('key=value pairs are typed and merged defaults ← community ← channel', () => {
    const community = {
      links: parseAssignments('links', [
        'enabled=on',
        'allow=https://www.YouTube.com/,clips.twitch.tv',
        'steps=warn,timeout:30',
      ]),
    }
    const channel = { links: parseAssignments('links', ['permit-seconds=120']) }
    const s = resolveSettings(community, channel).links
    assert.equal(s.enabled, true)
    assert.deepEqual(s.allow, ['youtube.com', 'clips.twitch.tv'])
    assert.deepEqual(s.steps, [{ action: 'warn' }, { action: 'timeout', duration: 30 }])
    assert.equal(s.permit_seconds, 120)
    assert.equal(s.action, 'escalate')
  })
  const bad: [FilterName, string, string][] = [
    ['caps', 'percent=150', 'caps.percent'],
    ['caps', 'colour=red', 'caps.colour'],
    ['links', 'allow=not a domain', 'links.allow'],
    ['links', 'steps=warn,explode', 'links.steps'],
    ['links', 'exempt=king', 'links.exempt'],
    ['links', 'enabled=maybe', 'links.enabled'],
    ['links', 'enabled', 'settings'],
  ]
  for (const [filter, pair, field] of bad) {
    test(`given ${filter} ${pair}, refuses naming ${field}`, () => {
      assert.throws(
        () => parseAssignments(filter, [pair]),
        (e) => isWaddleError(e) && e.code === 'WB_INPUT_INVALID' && e.params.field === field,
      )
    })
  }
})

test('false positives: ordinary chat with every filter on gives zero hits', (t) => {
  const corpus = parseChatLog(
    readFileSync(new URL('../../../../test/fixtures/filters/ordinary-chat.txt', import.meta.url), 'utf8'),
  )
  assert.ok(corpus.length >= 300, `${corpus.length} lines`)
  const seen = new Set<string>()
  const hits: string[] = []
  for (const line of corpus) {
    const firstTime = line.user !== undefined && !seen.has(line.user) ? 'yes' : 'no'
    if (line.user) seen.add(line.user)
    for (const h of evaluate(everyFilter, { text: line.message, firstTime }, scratch, true))
      hits.push(`${h.filter} (${h.detail}): ${line.message}`)
  }
  t.diagnostic(
    `false-positive rate: ${hits.length}/${corpus.length} lines = ${((hits.length / corpus.length) * 100).toFixed(2)}%`,
  )
  assert.deepEqual(hits, [])
})
