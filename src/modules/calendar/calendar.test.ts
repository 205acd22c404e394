/**
 * The calendar through the router (chat), on its own port (REST and the .ics feed), on SQLite + in-process
 * cache and on Postgres + Redis, with a fake clock (2026-10-20 12:00 UTC, five days before Berlin leaves
 * summer time): approval (moderator, the labels module's answer through a fake labels server, labels
 * failing), capacity with a waitlist, recurrence, a time zone per community, every refusal and bad input as
 * one line, and the iCalendar feed parsed with ical.js.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import ICAL from 'ical.js'
import { type FakeServer, startFakeServer } from '../../../test/fakes/webhook-server.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { type FakeClock, fakeClock } from '../../../test/helpers/fake-clock.js'
import { freeOffset } from '../../../test/helpers/cli.js'
import { chatEvent } from '../../../test/helpers/router-runtime.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { builtinCatalog } from '../catalog.js'
import { createCalendarModule } from './index.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const START = Date.UTC(2026, 9, 20, 12, 0)
const MOD = { user_id: 'mod-1', user_name: 'mia', display_name: 'Mia', roles: ['moderator'] }
const viewer = (n: number, name = `v${n}`) => ({ user_id: `viewer-${n}`, user_name: name, display_name: name })

for (const [backend, skip] of backends) {
  describe(`calendar on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let runtime: Runtime
    let clock: FakeClock
    let labels: FakeServer
    let key: string
    const announced: { entity: string; text: string }[] = []
    const reminderJobs = async (id: number) =>
      (
        await runtime.storage.query<{ job_key: string }>(
          sql`select job_key from scheduled_jobs where owner = 'calendar' and scope = ${`event:${id}`} order by due_at`,
        )
      ).map((r) => r.job_key)
    const app = (name: string) => runtime.hosted.find((h) => h.def.name === name)!.app
    const say = async (message: string, user: Record<string, unknown> = MOD): Promise<string> => {
      const res = await app('router').inject({
        method: 'POST',
        url: '/api/v1/events',
        payload: chatEvent(message, user),
        headers: { 'x-api-key': key },
      })
      assert.equal(res.statusCode, 200, res.body)
      const body = res.json()
      assert.equal(body.outcome, 'command', res.body)
      assert.equal(body.responses.length, 1, res.body)
      assert.doesNotMatch(body.responses[0].text, /\n|Error|at .*\.ts/)
      return body.responses[0].text
    }
    const rest = (method: 'GET' | 'POST', url: string, payload?: object, apiKey: string | null = key) =>
      app('calendar').inject({
        method,
        url,
        ...(payload ? { payload } : {}),
        headers: apiKey ? { 'x-api-key': apiKey } : {},
      })

    before(async () => {
      clock = fakeClock(START)
      labels = await startFakeServer(() => ({ status: 503, body: { error: 'down' } }))
      const env = { ...(await backend.env()), WADDLEBOT_PORT_OFFSET: String(await freeOffset([8000, 8030])) }
      project = testProject({ env })
      writeFileSync(
        `${project.dir}/waddlebot.yaml`,
        `modules:\n  labels: {url: "${labels.url}"}\n  calendar:\n    communities:\n      default: {timezone: Europe/Berlin}\n`,
      )
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      const catalog = builtinCatalog.map((m) =>
        m.name === 'calendar' ? { ...m, load: async () => createCalendarModule({ clock, pollMs: 3_600_000 }) } : m,
      )
      runtime = await startRuntime({ catalog, settings, modules: ['router', 'calendar'], listen: true })
      key = (await createApiKey(runtime.storage, 'cal', 'admin')).key
      await runtime.cache.subscribe('responses', (m) => {
        const msg = m as { entity_id: string; module: string; responses: { text: string }[] }
        if (msg.module === 'calendar') announced.push({ entity: msg.entity_id, text: msg.responses[0]!.text })
      })
    })
    after(async () => {
      await runtime?.stop()
      await labels?.close()
      await backend.cleanup()
      project?.cleanup()
    })

    test('a moderator creates a weekly event: approved at once, in the community zone', async () => {
      assert.equal(
        await say('!calendar create "Movie night" "2026-10-22 19:00" "We watch Alien" Discord 2 --weekly'),
        '#1 "Movie night" is on Thu 22 Oct 2026 19:00 (Europe/Berlin), weekly until 2027-10-22. Join with !calendar join 1.',
      )
      // (Health probes of the configured labels URL may come; a label check may not.)
      const checks = labels.requests.filter((r) => r.url === '/api/v1/labels/check')
      assert.equal(checks.length, 0, 'a moderator needs no label check')
    })

    test('a viewer’s event waits for approval; labels down or "no" keeps it pending, "yes" approves it', async () => {
      assert.equal(
        await say('!calendar create "Board games" 2026-11-01 15:00', viewer(1, 'Vic')),
        '#2 "Board games" on Sun 1 Nov 2026 15:00 (Europe/Berlin) is waiting for a moderator\'s approval.',
      )
      // The last label check (the router's health watch may GET the labels URL's /health in between).
      const check = labels.requests.filter((r) => r.url !== '/health').at(-1)!
      assert.equal(check.url, '/api/v1/labels/check')
      const asked = JSON.parse(check.body)
      assert.deepEqual(asked, {
        community_id: 'default',
        target_type: 'user',
        target_id: 'viewer-1',
        label: 'event-autoapprove',
      })
      labels.respond((req) => ({ body: { has: JSON.parse(req.body).target_id === 'viewer-9' } }))
      assert.match(
        await say('!calendar create Chess "2026-11-02 18:00"', viewer(1, 'Vic')),
        /^#3 .* is waiting for a moderator's approval\.$/,
      )
      assert.match(
        await say('!calendar create Quiz "2026-11-03 20:00"', viewer(9, 'Lea')),
        /^#4 "Quiz" is on Tue 3 Nov 2026 20:00 \(Europe\/Berlin\)\. Join with !calendar join 4\.$/,
      )
      assert.equal(
        await say('!calendar list pending', viewer(2)),
        'Pending (2): #2 "Board games" Sun 1 Nov 2026 15:00 (Europe/Berlin) by Vic; #3 "Chess" Mon 2 Nov 2026 18:00 (Europe/Berlin) by Vic',
      )
    })

    test('approve and reject are for moderators; each tells what happened', async () => {
      assert.equal(
        await say('!calendar approve 2', viewer(1, 'Vic')),
        'Only moderators and above can approve or reject events.',
      )
      assert.equal(
        await say('!calendar approve 2'),
        'Approved #2 "Board games" on Sun 1 Nov 2026 15:00 (Europe/Berlin).',
      )
      assert.equal(await say('!calendar approve 2'), '#2 "Board games" is not pending (it is approved).')
      assert.equal(
        await say('!calendar reject 3 "clashes with the stream"'),
        'Rejected #3 "Chess": clashes with the stream',
      )
      assert.equal(await say('!calendar join 3', viewer(2)), '#3 "Chess" was rejected (clashes with the stream).')
      assert.equal(await say('!calendar approve 99'), "No event #99 in this community's calendar.")
      assert.equal(await say('!calendar approve x'), '"x" is not an event number. Usage: !calendar approve <id>')
      assert.equal(await say('!calendar approve'), 'Usage: !calendar approve <id>')
    })

    test('capacity: a full event puts people on the waitlist; leaving promotes the first', async () => {
      assert.equal(
        await say('!calendar join 1', viewer(1, 'Ann')),
        'You\'re in for #1 "Movie night" on Thu 22 Oct 2026 19:00 (Europe/Berlin); 1/2 going.',
      )
      assert.match(await say('!calendar join #1', viewer(2, 'Bob')), /2\/2 going\.$/)
      assert.equal(
        await say('!calendar join 1', viewer(3, 'Cat')),
        '#1 "Movie night" is full (2 going); you are #1 on the waitlist.',
      )
      assert.equal(
        await say('!calendar join 1', viewer(4, 'Dan')),
        '#1 "Movie night" is full (2 going); you are #2 on the waitlist.',
      )
      assert.equal(
        await say('!calendar join 1', viewer(3, 'Cat')),
        'You are already on the waitlist for #1 "Movie night".',
      )
      assert.equal(
        await say('!calendar leave 1', viewer(1, 'Ann')),
        'You left #1 "Movie night". Cat moved up from the waitlist.',
      )
      assert.equal(await say('!calendar leave 1', viewer(1, 'Ann')), 'You have not joined #1 "Movie night".')
      assert.equal(await say('!calendar leave 1', viewer(4, 'Dan')), 'You left #1 "Movie night"\'s waitlist.')
      assert.equal(await say('!calendar join 1', viewer(2, 'Bob')), 'You already joined #1 "Movie night".')
      assert.equal(
        await say('!calendar show 1', viewer(5)),
        '#1 "Movie night" Thu 22 Oct 2026 19:00 (Europe/Berlin), weekly until 2027-10-22 at Discord — We watch Alien [approved] 2/2 going: Bob, Cat.',
      )
    })

    test('list upcoming: soonest first, with seats', async () => {
      assert.equal(
        await say('!calendar list', viewer(5)),
        'Upcoming: #1 "Movie night" Thu 22 Oct 2026 19:00 (Europe/Berlin) weekly, 2/2 going; #2 "Board games" Sun 1 Nov 2026 15:00 (Europe/Berlin), 0 going; #4 "Quiz" Tue 3 Nov 2026 20:00 (Europe/Berlin), 0 going',
      )
      assert.equal(await say('!calendar list later', viewer(5)), 'Usage: !calendar list [upcoming|pending]')
    })

    test('reminders at -1 day, -1 hour and -15 min reach the channel through the router; the series moves on', async () => {
      const start = Date.UTC(2026, 9, 22, 17, 0) // Thu 22 Oct 19:00 in Berlin
      assert.deepEqual(await reminderJobs(1), [`event:1:${start}:1d`, `event:1:${start}:1h`, `event:1:${start}:15m`])
      assert.equal(announced.length, 0)
      await clock.advance(3 * 86_400_000) // to Fri 23 Oct 12:00 UTC
      // The loop's timers run on the fake clock but its database I/O on real time: one more pass catches up.
      const calendar = runtime.hosted.find((h) => h.def.name === 'calendar')!
      await calendar.ctx.state.scheduler.runDue()
      for (let i = 0; i < 300 && announced.length < 3; i++) await new Promise((r) => setTimeout(r, 10))
      const line = (when: string) =>
        `Reminder: #1 "Movie night" starts in ${when} (Thu 22 Oct 2026 19:00 Europe/Berlin) at Discord. Going: Bob, Cat`
      assert.deepEqual(announced.map((a) => a.text).sort(), [line('1 day'), line('1 hour'), line('15 minutes')].sort())
      assert.ok(
        announced.every((a) => a.entity === 'local:s:c'),
        'to the channel the event was created in',
      )
      const next = Date.UTC(2026, 9, 29, 18, 0) // Thu 29 Oct 19:00, winter time
      assert.deepEqual(await reminderJobs(1), [`event:1:${next}:1d`, `event:1:${next}:1h`, `event:1:${next}:15m`])
      assert.match(
        await say('!calendar list', viewer(5)),
        /^Upcoming: #1 "Movie night" Thu 29 Oct 2026 19:00 \(Europe\/Berlin\) weekly/,
      )
      assert.equal((await reminderJobs(3)).length, 0, 'a rejected event has no reminders')
    })

    test('cancel: the creator or a moderator; others are told who may', async () => {
      assert.equal(
        await say('!calendar cancel 2', viewer(2)),
        'Only its creator (Vic) or moderators and above can cancel #2 "Board games".',
      )
      assert.equal((await reminderJobs(2)).length, 3)
      assert.equal(await say('!calendar cancel 2', viewer(1, 'Vic')), 'Cancelled #2 "Board games".')
      assert.equal((await reminderJobs(2)).length, 0, 'a cancelled event has no reminders')
      assert.equal(await say('!calendar cancel 2'), '#2 "Board games" is already cancelled.')
      assert.equal(await say('!calendar join 2', viewer(2)), '#2 "Board games" was cancelled.')
    })

    test('bad input gets one friendly line each', async () => {
      const cases: [string, string | RegExp][] = [
        ['!calendar create', /^Usage: !calendar create "Title" "YYYY-MM-DD HH:MM"/],
        [
          '!calendar create Picnic "2026-02-30 12:00"',
          '"2026-02-30 12:00" is not a date and time: use "YYYY-MM-DD HH:MM" (Europe/Berlin).',
        ],
        ['!calendar create Picnic "2026-10-01 12:00"', '2026-10-01 12:00 Europe/Berlin is in the past.'],
        [
          '!calendar create Picnic "2026-12-01 12:00" park lawn many',
          '"many" is not an attendee limit: give a whole number, or quote the location.',
        ],
        [
          '!calendar create Picnic "2026-12-01 12:00" "" "" 0',
          'The attendee limit must be a whole number from 1 to 100000.',
        ],
        [
          '!calendar create Picnic "2026-12-01 12:00" --daily',
          'Unknown option --daily: use --weekly, --monthly or --until YYYY-MM-DD.',
        ],
        [
          '!calendar create Picnic "2026-12-01 12:00" --until 2027-01-01',
          'An end date needs a repeating event (weekly or monthly).',
        ],
        [
          '!calendar create Picnic "2026-12-01 12:00" --weekly --until 2026-11-01',
          'The series would end before it starts.',
        ],
        [`!calendar create ${'t'.repeat(101)} "2026-12-01 12:00"`, 'Titles are at most 100 characters.'],
        ['!calendar create a b c d e f g', /^Too many words: quote the description and location\./],
        ['!calendar dance', /^Usage: !calendar <create\|list\|join/],
      ]
      for (const [message, expected] of cases) {
        const line = await say(message, viewer(7))
        if (typeof expected === 'string') assert.equal(line, expected, message)
        else assert.match(line, expected, message)
      }
    })

    test('a time zone per community: another community uses the default zone (UTC)', async () => {
      const r = await rest('POST', '/api/v1/calendar/other/events', {
        title: 'Standup',
        start: '2026-11-05 09:00',
        creator: { id: 'm2', name: 'Max', roles: ['moderator'] },
        entity_id: 'local:other:c',
      })
      assert.equal(r.statusCode, 201, r.body)
      assert.equal(r.json().event.status, 'approved')
      assert.equal(r.json().event.timezone, 'UTC')
      assert.equal(r.json().event.entity_id, 'local:other:c', 'its reminders go to that channel')
      assert.equal(r.json().event.start_at, Date.UTC(2026, 10, 5, 9, 0))
    })

    test('the .ics feed parses (ical.js) and has the weekly event with its VTIMEZONE, across the DST change', async () => {
      assert.equal(
        await say('!calendar create "Monthly meetup" "2026-10-31 18:30" "Bring snacks; chat, talk" --monthly'),
        '#6 "Monthly meetup" is on Sat 31 Oct 2026 18:30 (Europe/Berlin), monthly until 2027-10-31. Join with !calendar join 6.',
      )
      const res = await rest('GET', '/calendar/default.ics', undefined, null)
      assert.equal(res.statusCode, 200)
      assert.match(String(res.headers['content-type']), /^text\/calendar/)
      assert.ok(
        res.body.split('\r\n').every((l) => Buffer.byteLength(l) <= 75),
        'lines folded at 75 octets',
      )
      const root = new ICAL.Component(ICAL.parse(res.body))
      assert.equal(root.getFirstPropertyValue('version'), '2.0')
      const zones = root.getAllSubcomponents('vtimezone')
      assert.deepEqual(
        zones.map((z) => z.getFirstPropertyValue('tzid')),
        ['Europe/Berlin'],
      )
      ICAL.TimezoneService.register(zones[0]!)
      const events = new ICAL.Component(ICAL.parse(res.body))
        .getAllSubcomponents('vevent')
        .map((v) => new ICAL.Event(v))
      assert.deepEqual(
        events.map((e) => e.summary).sort(),
        ['Monthly meetup', 'Movie night', 'Quiz'],
        'approved events only',
      )
      const movie = events.find((e) => e.summary === 'Movie night')!
      assert.equal(movie.startDate.zone?.tzid, 'Europe/Berlin')
      assert.ok(movie.isRecurring())
      assert.equal(movie.component.getFirstPropertyValue('rrule')!.toString(), 'FREQ=WEEKLY;COUNT=53')
      assert.equal(movie.location, 'Discord')
      const it = movie.iterator()
      const starts: string[] = []
      for (let next = it.next(); next && starts.length < 3; next = it.next())
        starts.push(new Date(next.toUnixTime() * 1000).toISOString())
      // 19:00 in Berlin: 17:00Z in summer time (until 25 Oct), 18:00Z after.
      assert.deepEqual(starts, ['2026-10-22T17:00:00.000Z', '2026-10-29T18:00:00.000Z', '2026-11-05T18:00:00.000Z'])
      const meetup = events.find((e) => e.summary === 'Monthly meetup')!
      assert.equal(meetup.description, 'Bring snacks; chat, talk')
      const monthly = meetup.iterator()
      const months: string[] = []
      for (let next = monthly.next(); next && months.length < 3; next = monthly.next())
        months.push(new Date(next.toUnixTime() * 1000).toISOString())
      assert.deepEqual(
        months,
        ['2026-10-31T17:30:00.000Z', '2026-12-31T17:30:00.000Z', '2027-01-31T17:30:00.000Z'],
        'months without a 31st are skipped',
      )
      const other = new ICAL.Component(ICAL.parse((await rest('GET', '/calendar/other.ics', undefined, null)).body))
      assert.equal(other.getAllSubcomponents('vtimezone').length, 0)
      assert.match(
        other.getAllSubcomponents('vevent')[0]!.getFirstProperty('dtstart')!.toICALString(),
        /^DTSTART:20261105T090000Z$/,
      )
      assert.equal((await rest('GET', '/calendar/default.txt', undefined, null)).statusCode, 404)
    })

    test('REST: 4xx name the field; approve conflict; 10 concurrent joins on 3 seats', async () => {
      const base = '/api/v1/calendar/crew/events'
      assert.equal((await rest('GET', base, undefined, null)).statusCode, 401)
      const creator = { id: 'u1', name: 'Una', roles: [] }
      for (const [payload, field] of [
        [{ start: '2026-12-01 10:00', creator }, 'title'],
        [{ title: 'x', start: 'tomorrow', creator }, 'start'],
        [{ title: 'x', start: '2026-12-01 10:00', creator, max_attendees: -1 }, 'max_attendees'],
        [{ title: 'x', start: '2026-12-01 10:00', creator, recurrence: 'daily' }, 'recurrence'],
        [{ title: 'x', start: '2026-12-01 10:00' }, 'creator'],
      ] as const) {
        const r = await rest('POST', base, payload)
        assert.equal(r.statusCode, 400, r.body)
        assert.equal(r.json().error.field, field, r.body)
      }
      const created = await rest('POST', base, { title: 'Raid', start: '2026-12-01 10:00', max_attendees: 3, creator })
      assert.equal(created.statusCode, 201, created.body)
      const id = created.json().event.id
      assert.equal(created.json().event.status, 'pending')
      assert.equal((await rest('POST', `${base}/${id}/join`, { user: { id: 'a', name: 'A' } })).statusCode, 409)
      assert.equal((await rest('POST', `${base}/${id}/approve`, { by: { id: 'm', name: 'Mo' } })).statusCode, 200)
      const again = await rest('POST', `${base}/${id}/approve`, {})
      assert.equal(again.statusCode, 409)
      assert.equal(again.json().error.code, 'WB_STATE_CONFLICT')
      assert.equal((await rest('POST', `${base}/abc/approve`, {})).json().error.field, 'id')
      const joins = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          rest('POST', `${base}/${id}/join`, { user: { id: `p${i}`, name: `P${i}` } }),
        ),
      )
      const answers = joins.map((j) => j.json())
      assert.equal(answers.filter((a) => a.status === 'going').length, 3)
      assert.deepEqual(
        answers
          .filter((a) => a.status === 'waitlist')
          .map((a) => a.position)
          .sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7],
      )
      const going = (await rest('GET', `${base}/${id}`))
        .json()
        .attendees.filter((a: { status: string }) => a.status === 'going')
      const leaver = going[0].user_id
      const left = (await rest('POST', `${base}/${id}/leave`, { user: { id: leaver, name: 'x' } })).json()
      assert.equal(left.left, 'going')
      assert.equal(left.promoted.status, 'going')
      const after = (await rest('GET', `${base}/${id}`)).json().attendees
      assert.equal(after.filter((a: { status: string }) => a.status === 'going').length, 3)
      assert.equal((await rest('GET', `${base}?status=upcoming`)).json().events.length, 1)
    })

    test('an event that is over cannot be joined', async () => {
      const flash = await rest('POST', '/api/v1/calendar/crew/events', {
        title: 'Flash',
        start: '2026-10-24 10:00',
        creator: { id: 'm', name: 'Mo', roles: ['moderator'] },
      })
      assert.equal(flash.statusCode, 201, flash.body)
      await clock.advance(12 * 86_400_000) // to Wed 4 Nov: Flash and the Quiz (3 Nov) are past
      const late = await rest('POST', `/api/v1/calendar/crew/events/${flash.json().event.id}/join`, {
        user: { id: 'z', name: 'Z' },
      })
      assert.equal(late.statusCode, 409)
      assert.match(late.json().error.message, /is over/)
      assert.equal(
        await say('!calendar join 4', viewer(8)),
        '#4 "Quiz" is over; see !calendar list for what is coming.',
      )
    })
  })
}
