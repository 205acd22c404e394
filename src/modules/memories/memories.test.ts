/**
 * memories through the router on SQLite and on Postgres + Redis (one fixture per backend: memories, then the
 * router, sharing a fake clock): quotes, memos, reminders and timers with their refusals and bad input, the REST
 * API's validation, a timer that waits for its chat-line minimum; then a reminder due in 2 s that fires exactly
 * once with two memories processes (two runtimes sharing the database, both passing at the due time) and reaches
 * an open `waddlebot chat` session through the router's pushed-responses stream, and a reminder due while
 * memories was down that fires once after it starts again.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { followPushed } from '../../cli/chat-client.js'
import type { Response } from '../../contract/responses.js'
import { type MemoriesFixture, schedulerOf, startMemoriesFixture, until } from './memories.fixture.js'
import { parseQuote } from './quote-command.js'
import { parseDuration } from './duration.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]
const MOD = ['moderator']

test('quote and duration parsing', () => {
  assert.deepEqual(parseQuote('"Never gonna give you up" - Rick'), { text: 'Never gonna give you up', author: 'Rick' })
  assert.deepEqual(parseQuote('“curly” — Ann'), { text: 'curly', author: 'Ann' })
  assert.deepEqual(parseQuote('plain words - Bob'), { text: 'plain words', author: 'Bob' })
  assert.deepEqual(parseQuote('no author here'), { text: 'no author here', author: undefined })
  assert.deepEqual(parseDuration(['10m', 'tea']), { ms: 600_000, used: 1 })
  assert.deepEqual(parseDuration(['1h30m']), { ms: 5_400_000, used: 1 })
  assert.deepEqual(parseDuration(['2', 'hours', 'x']), { ms: 7_200_000, used: 2 })
  assert.deepEqual(parseDuration(['3d']), { ms: 259_200_000, used: 1 })
  assert.equal(parseDuration(['soon']), undefined)
  assert.equal(parseDuration(['10x']), undefined)
})

for (const [backend, skip] of backends) {
  describe(`memories on ${backend.name}`, { skip }, () => {
    let f: MemoriesFixture
    before(async () => {
      f = await startMemoriesFixture(backend)
    })
    after(() => f?.close())

    test('!quote: add, show, random, search, delete (moderators), friendly bad input', async () => {
      assert.match((await f.say('!quote')).text, /No quotes yet/)
      assert.equal((await f.say('!quote add "Never gonna give you up" - Rick')).text, 'Quote #1 added.')
      assert.equal((await f.say('!quote add the cake is a lie')).text, 'Quote #2 added.')
      const day = new Date(f.clock.now()).toISOString().slice(0, 10)
      assert.equal((await f.say('!quote 1')).text, `#1: "Never gonna give you up" — Rick (${day})`)
      assert.equal((await f.say('!quote #2')).text, `#2: "the cake is a lie" (${day})`)
      assert.match((await f.say('!quote')).text, /^#[12]: "/)
      assert.match((await f.say('!quote search cake')).text, /^#2: "the cake is a lie"/)
      assert.match((await f.say('!quote search rick')).text, /^#1: /, 'author matches')
      assert.equal((await f.say('!quote search 100%')).text, 'No quote matches "100%".')
      assert.equal((await f.say('!quote search')).text, 'Usage: !quote search <words>')
      assert.equal((await f.say('!quote 99')).text, 'There is no quote #99.')
      assert.match((await f.say('!quote add')).text, /^Usage: !quote add/)
      assert.match((await f.say(`!quote add ${'x'.repeat(401)}`)).text, /too long \(401 characters, at most 400\)/)
      assert.match((await f.say('!quote banana')).text, /^Usage: !quote/)
      assert.equal((await f.say('!quote del 1')).text, 'Deleting quotes is for moderators and above.')
      assert.equal((await f.say('!quote del one', 'Mo', MOD)).text, 'Usage: !quote del <number>')
      assert.equal((await f.say('!quote del 1', 'Mo', MOD)).text, 'Quote #1 deleted.')
      assert.equal((await f.say('!quote del 1', 'Mo', MOD)).text, 'There is no quote #1.')
      assert.equal((await f.say('!quote 1')).text, 'There is no quote #1.')
      assert.equal((await f.say('!quote add "after a delete"')).text, 'Quote #3 added.', 'numbers are not reused')
    })

    test('!quote add records the game a platform event named', async () => {
      const app = f.router.hosted[0]!.app
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { 'x-api-key': f.keys.collector },
        payload: {
          platform: 'local',
          server_id: 's',
          channel_id: 'c',
          user_id: 'streamer',
          user_name: 'streamer',
          message_type: 'stream_online',
          metadata: { category_name: 'Celeste' },
        },
      })
      assert.equal(res.json().outcome, 'event')
      const added = (await f.say('!quote add "one more dash" - Madeline')).text
      const num = /#(\d+)/.exec(added)?.[1]
      assert.match((await f.say(`!quote ${num}`)).text, /— Madeline \(Celeste, \d{4}-/)
    })

    test('!memo: add URL and note, list, show, search, delete by owner or moderator', async () => {
      assert.match((await f.say('!memo')).text, /No memos yet/)
      assert.equal((await f.say('!memo add https://example.org/vod stream VOD')).text, 'Memo #1 saved.')
      assert.equal((await f.say('!memo add bring snacks next time', 'Bob')).text, 'Memo #2 saved.')
      assert.equal(
        (await f.say('!memo list')).text,
        '#2 📝 bring snacks next time · #1 🔗 https://example.org/vod stream VOD',
      )
      assert.equal((await f.say('!memo 1')).text, '#1 🔗 https://example.org/vod stream VOD')
      assert.equal((await f.say('!memo search snacks')).text, '#2 📝 bring snacks next time')
      assert.equal((await f.say('!memo search zebra')).text, 'No memo matches "zebra".')
      assert.equal((await f.say('!memo list 2')).text, 'No memos on page 2.')
      assert.equal((await f.say('!memo list zero')).text, 'Usage: !memo list [page]')
      assert.equal((await f.say('!memo add')).text, 'Usage: !memo add <url or note>')
      assert.match((await f.say('!memo what')).text, /^Usage: !memo add/)
      assert.equal(
        (await f.say('!memo del 2', 'Ann')).text,
        'Memo #2 can be deleted by Bob, who saved it, or by moderators.',
      )
      assert.equal((await f.say('!memo del 2', 'Bob')).text, 'Memo #2 deleted.')
      assert.equal((await f.say('!memo del 1', 'Mo', MOD)).text, 'Memo #1 deleted.')
      assert.equal((await f.say('!memo del 7', 'Mo', MOD)).text, 'There is no memo #7.')
    })

    test('!remind: me / @user, list, cancel, refusals and bad input', async () => {
      const set = (await f.say('!remind me in 10m stretch', 'Cat')).text
      assert.match(set, /^Okay Cat, I'll remind you in 10m \(reminder #\d+\)\.$/)
      const id = Number(/#(\d+)/.exec(set)?.[1])
      assert.equal(
        (await f.say('!remind @Dan in 2h hydrate', 'Cat')).text,
        'Reminding others is for moderators and above.',
      )
      assert.match((await f.say('!remind @Dan in 2h hydrate', 'Mo', MOD)).text, /I'll remind @Dan in 2h/)
      assert.match((await f.say('!remind list', 'Cat')).text, new RegExp(`^#${id} in 10m: stretch$`))
      assert.match((await f.say('!remind list', 'Dan')).text, /in 2h for @Dan: hydrate/)
      assert.equal((await f.say('!remind list', 'Eve')).text, 'You have no reminders pending here.')
      assert.equal(
        (await f.say(`!remind cancel ${id}`, 'Eve')).text,
        `Reminder #${id} can be cancelled by Cat, who set it, the one it reminds, or moderators.`,
      )
      assert.equal((await f.say(`!remind cancel ${id}`, 'Cat')).text, `Reminder #${id} cancelled.`)
      assert.equal((await f.say(`!remind cancel ${id}`, 'Cat')).text, `There is no reminder #${id} here.`)
      assert.equal((await f.say('!remind cancel x', 'Cat')).text, 'Usage: !remind cancel <id> (see !remind list)')
      assert.match((await f.say('!remind', 'Cat')).text, /^Usage: !remind me in 10m/)
      assert.match((await f.say('!remind me 10m tea', 'Cat')).text, /^Usage: /)
      assert.equal(
        (await f.say('!remind me in soon tea', 'Cat')).text,
        `I can't read "soon" as a time: use 10m, 2h, 3d or 1h30m.`,
      )
      assert.equal(
        (await f.say('!remind me in 10m', 'Cat')).text,
        'What should I remind about? !remind me in 10m <text>',
      )
      assert.equal((await f.say('!remind me in 400d tea', 'Cat')).text, 'Reminders reach at most 365 days ahead.')
      assert.equal((await f.say('!remind @bad<name> in 1m x', 'Mo', MOD)).text, '"@bad<name>" is not a user name.')
      for (let i = 0; i < 3; i++) await f.say(`!remind me in ${i + 1}h t${i}`, 'Gus')
      assert.match((await f.say('!remind me in 1h one more', 'Gus')).text, /^You have 3 reminders pending here/)
    })

    test('!timer: moderators manage, refusals and bad input', async () => {
      assert.match((await f.say('!timer', 'Ann')).text, /^No timers here yet/)
      assert.equal((await f.say('!timer add x 5 hi', 'Ann')).text, 'Managing timers is for moderators and above.')
      assert.match((await f.say('!timer add', 'Mo', MOD)).text, /^Usage: !timer add/)
      assert.match((await f.say('!timer add Bad!Name 5 hi', 'Mo', MOD)).text, /is not a timer name/)
      assert.match((await f.say('!timer add n 0 hi', 'Mo', MOD)).text, /whole number of minutes from 1 to 1440/)
      assert.match((await f.say('!timer add n soon hi', 'Mo', MOD)).text, /not "soon"/)
      assert.match((await f.say('!timer add n 5', 'Mo', MOD)).text, /^What should the timer say/)
      assert.match((await f.say('!timer add social 5 Follow us!', 'Mo', MOD)).text, /^Timer social added: every 5 min/)
      assert.match((await f.say('!timer add social 5 again', 'Mo', MOD)).text, /exists here already/)
      assert.equal((await f.say('!timer list', 'Ann')).text, 'Timers: social (5 min, 3 lines)')
      assert.equal((await f.say('!timer disable social', 'Mo', MOD)).text, 'Timer social is off.')
      assert.equal(
        (await f.say('!timer lines social 10', 'Mo', MOD)).text,
        'Timer social now waits for 10 chat lines between posts.',
      )
      assert.match((await f.say('!timer lines social many', 'Mo', MOD)).text, /^Usage: !timer lines social/)
      assert.equal((await f.say('!timer list')).text, 'Timers: social (5 min, 10 lines, off)')
      assert.equal(
        (await f.say('!timer enable nope', 'Mo', MOD)).text,
        'There is no timer nope here (see !timer list).',
      )
      assert.equal((await f.say('!timer remove social', 'Mo', MOD)).text, 'Timer social removed.')
      assert.match((await f.say('!timer frobnicate', 'Mo', MOD)).text, /^Usage: !timer add/)
    })

    test('a timer posts only after its chat-line minimum, every interval', async () => {
      const channel = 'timers'
      const say = (text: string, user = 'Ann', roles: string[] = []) => f.say(text, user, roles, channel)
      const entity = 'local:s:timers'
      const mine = () => f.pushed.filter((p) => p.entity_id === entity)
      assert.match((await say('!timer add tip 1 Remember to hydrate!', 'Mo', MOD)).text, /^Timer tip added/)
      const runDue = () => schedulerOf(f.memories[0]!).runDue()
      await f.clock.advance(60_000)
      await runDue()
      assert.equal(mine().length, 0, 'no chat yet: the timer waits')
      await say('hello')
      await say('!quote') // a command is not a chat line for timers
      await say('how is everyone')
      await f.clock.advance(60_000)
      await runDue()
      assert.equal(mine().length, 0, 'two lines of three')
      await say('third line')
      await f.clock.advance(60_000)
      await runDue()
      await until(() => mine().length === 1, 'the timer post')
      assert.equal(mine()[0]!.text, 'Remember to hydrate!')
      await f.clock.advance(60_000)
      await runDue()
      assert.equal(mine().length, 1, 'counted again from its last post')
      assert.equal((await say('!timer remove tip', 'Mo', MOD)).text, 'Timer tip removed.')
    })

    test('REST API: validated bodies (4xx naming the field), CRUD of quotes, memos, reminders, timers', async () => {
      const base = f.routerUrl.replace(/:(\d+)$/, (_, p) => `:${Number(p) + 31}`)
      const call = async (method: string, path: string, body?: unknown, key: string | null = f.keys.admin) => {
        const res = await fetch(`${base}${path}`, {
          method,
          headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(key ? { 'x-api-key': key } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        })
        const text = await res.text()
        return { status: res.status, body: text ? JSON.parse(text) : undefined }
      }
      assert.equal((await call('GET', '/api/v1/memories/quotes', undefined, null)).status, 401)
      const bad = await call('POST', '/api/v1/memories/quotes', { text: '' })
      assert.equal(bad.status, 400)
      assert.equal(bad.body.error.field, 'text')
      const created = await call('POST', '/api/v1/memories/quotes', {
        community_id: 'api',
        text: 'from the API',
        author: 'Bot',
      })
      assert.equal(created.status, 201)
      assert.equal(created.body.number, 1)
      assert.equal((await call('GET', '/api/v1/memories/quotes/api/1')).body.text, 'from the API')
      assert.equal((await call('GET', '/api/v1/memories/quotes?community_id=api&search=api')).body.quotes.length, 1)
      assert.equal((await call('GET', '/api/v1/memories/quotes?limit=0')).body.error.field, 'limit')
      assert.equal((await call('DELETE', '/api/v1/memories/quotes/api/1')).status, 204)
      const gone = await call('GET', '/api/v1/memories/quotes/api/1')
      assert.equal(gone.status, 404)
      assert.equal(gone.body.error.code, 'WB_MEMORIES_NOT_FOUND')
      assert.equal(
        (await call('POST', '/api/v1/memories/memos', { community_id: 'api', text: 'https://x.test' })).status,
        201,
      )
      assert.equal((await call('GET', '/api/v1/memories/memos?community_id=api')).body.memos[0].kind, 'url')
      const r = await call('POST', '/api/v1/memories/reminders', {
        entity_id: 'local:s:c',
        text: 'x',
        user_name: 'api',
      })
      assert.equal(r.status, 400)
      assert.equal(r.body.error.field, 'due_at')
      const r2 = await call('POST', '/api/v1/memories/reminders', {
        entity_id: 'local:s:c',
        text: 'x',
        user_name: 'api',
        in_seconds: 3600,
      })
      assert.equal(r2.status, 201)
      assert.equal((await call('DELETE', `/api/v1/memories/reminders/${r2.body.id}`)).status, 204)
      assert.equal((await call('DELETE', `/api/v1/memories/reminders/${r2.body.id}`)).status, 404)
      const t = { entity_id: 'local:s:api', name: 'news', minutes: 10, text: 'News!' }
      assert.equal((await call('POST', '/api/v1/memories/timers', { ...t, minutes: 0 })).body.error.field, 'minutes')
      const timer = await call('POST', '/api/v1/memories/timers', t)
      assert.equal(timer.status, 201)
      assert.equal((await call('POST', '/api/v1/memories/timers', t)).body.error.code, 'WB_MEMORIES_TIMER_EXISTS')
      assert.equal(
        (await call('PATCH', `/api/v1/memories/timers/${timer.body.id}`, { enabled: 'yes' })).body.error.field,
        'enabled',
      )
      assert.equal(
        (await call('PATCH', `/api/v1/memories/timers/${timer.body.id}`, { enabled: false })).body.enabled,
        0,
      )
      assert.equal((await call('DELETE', `/api/v1/memories/timers/${timer.body.id}`)).status, 204)
      assert.equal((await call('DELETE', '/api/v1/memories/timers/999999')).status, 404)
    })

    test('router announcements: 400 naming the field, 404 for an unknown channel', async () => {
      const app = f.router.hosted[0]!.app
      const post = (payload: unknown) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/announcements',
          payload: payload as object,
          headers: { 'x-api-key': f.keys.admin },
        })
      const bad = await post({ module: 'memories', entity_id: 'local:s:c', responses: [] })
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.field, 'responses')
      const unknown = await post({
        module: 'memories',
        entity_id: 'local:nope:nope',
        responses: [{ type: 'chat', text: 'hi' }],
      })
      assert.equal(unknown.statusCode, 404)
      assert.equal(unknown.json().error.code, 'WB_ENTITY_UNKNOWN')
    })

    // Last: these start a second memories process and restart the first.
    const to = (channel: string) => f.pushed.filter((p) => p.entity_id === `local:s:${channel}`)

    test('a reminder due in 2 s fires exactly once with two memories processes, into the open chat', async () => {
      const first = f.memories[0]!
      const second = await f.startMemories(false)
      const streamed: Response[] = []
      const chat = await followPushed(f.routerUrl, f.keys.collector, 'local:s:two', (rs) => streamed.push(...rs))
      assert.ok(chat, 'the router serves the pushed-responses stream')
      try {
        const set = await f.say('!remind me in 2s stand up', 'Ann', [], 'two')
        assert.match(set.text, /^Okay Ann, I'll remind you in 2s \(reminder #\d+\)\.$/)
        const both = () => Promise.all([schedulerOf(first).runDue(), schedulerOf(second).runDue()])
        await f.clock.advance(1999)
        await both()
        assert.equal(to('two').length, 0, 'not before its time')
        await f.clock.advance(1)
        await both() // both processes look at the due reminder at once (their loops too)
        await until(() => to('two').length > 0, 'the reminder')
        await until(() => streamed.length > 0, 'the reminder in the chat session')
        await f.clock.advance(120_000)
        await both()
        assert.deepEqual(
          to('two').map((p) => p.text),
          ['@Ann ⏰ reminder: stand up'],
        )
        assert.deepEqual(streamed, [{ type: 'chat', text: '@Ann ⏰ reminder: stand up' }])
        assert.equal((await f.say('!remind list', 'Ann', [], 'two')).text, 'You have no reminders pending here.')
      } finally {
        chat?.close()
        await second.stop()
      }
    })

    test('a reminder due while memories was down fires once after it starts', async () => {
      const set = await f.say('!remind @Bea in 1m the raid', 'Mo', ['moderator'], 'down')
      assert.match(set.text, /I'll remind @Bea in 1m/)
      await f.memories[0]!.stop()
      await f.clock.advance(10 * 60_000) // memories is down past the due time
      assert.equal(to('down').length, 0)
      const again = await f.startMemories(true)
      await f.clock.advance(60_000) // its first pass, one poll interval after start
      await until(() => to('down').length > 0, 'the late reminder')
      await schedulerOf(again).runDue()
      await f.clock.advance(60_000)
      await schedulerOf(again).runDue()
      assert.deepEqual(
        to('down').map((p) => p.text),
        ['@Bea ⏰ reminder from Mo: the raid'],
      )
    })
  })
}
