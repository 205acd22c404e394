/**
 * `waddlebot moderation filters list|set` and the filter part of `moderation test`, end to end (the real CLI
 * as a child process), on SQLite and on Postgres + Redis.
 */
import assert from 'node:assert/strict'
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

interface Listed {
  community: string
  entity: string | null
  filters: Record<string, { enabled: boolean; allow?: string[]; percent?: number; exempt: string[] }>
}

const SPAM_LOG = [
  'ann: hello there',
  'bob: check spam.xyz for free stuff',
  'ann: THIS IS REALLY WAY TOO LOUD',
  'cid: visit example dot com today',
  'ann: youtube.com/watch?v=1',
  'ann: thanks everyone',
].join('\n')

describe('waddlebot moderation filters', { concurrency: true }, () => {
  for (const [backend, skip] of backends) {
    describe(`on ${backend.name}`, { skip, concurrency: false }, () => {
      let project: TestProject
      let env: Record<string, string>
      const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env, timeoutMs: 60_000 })
      const list = async (...args: string[]) =>
        JSON.parse((await cli('moderation', 'filters', 'list', '--json', ...args)).stdout) as Listed

      before(async () => {
        project = testProject()
        env = {
          WADDLEBOT_CONFIG: '',
          DATABASE_URL: 'sqlite:./data/filters.db',
          REDIS_URL: '',
          WADDLEBOT_LOG_LEVEL: 'silent',
          ...(await backend.env()),
        }
      })
      after(async () => {
        await backend.cleanup()
        project?.cleanup()
      })

      test('list: every filter off by default, moderators and the broadcaster exempt', async () => {
        const l = await list()
        assert.equal(l.community, 'default')
        assert.deepEqual(Object.keys(l.filters), [
          'first-chatter',
          'links',
          'zalgo',
          'length',
          'repetition',
          'caps',
          'symbols',
          'emotes',
        ])
        assert.ok(
          Object.values(l.filters).every(
            (f) => !f.enabled && f.exempt.includes('moderator') && f.exempt.includes('broadcaster'),
          ),
        )
        const text = await cli('moderation', 'filters', 'list')
        assert.equal(text.code, 0, text.stderr)
        assert.match(
          text.stdout,
          /^ {2}links\s+off\s+links\s+→ warn → timeout:60 → timeout:600 {2}\(exempt: broadcaster,owner,admin,moderator\)$/m,
        )
      })

      test('set: community settings, a channel override, reset; bad input exits 2 naming the key', async () => {
        const r = await cli(
          'moderation',
          'filters',
          'set',
          'links',
          'enabled=true',
          'allow=https://www.YouTube.com/,clips.twitch.tv',
        )
        assert.equal(r.code, 0, r.stderr)
        assert.match(r.stdout, /^links \(community default\): enabled=true allow=youtube\.com,clips\.twitch\.tv$/m)
        assert.equal((await cli('moderation', 'filters', 'set', 'caps', 'enabled=on', 'percent=60')).code, 0)
        assert.equal(
          (await cli('moderation', 'filters', 'set', 'caps', 'enabled=off', '--entity', 'twitch:quiet:quiet')).code,
          0,
        )
        const community = await list()
        assert.deepEqual(
          [
            community.filters.links!.enabled,
            community.filters.links!.allow,
            community.filters.caps!.enabled,
            community.filters.caps!.percent,
          ],
          [true, ['youtube.com', 'clips.twitch.tv'], true, 60],
        )
        const channel = await list('--entity', 'twitch:quiet:quiet')
        assert.deepEqual(
          [
            channel.entity,
            channel.filters.links!.enabled,
            channel.filters.caps!.enabled,
            channel.filters.caps!.percent,
          ],
          ['twitch:quiet:quiet', true, false, 60],
        )

        const bad = await cli('moderation', 'filters', 'set', 'caps', 'percent=150')
        assert.equal(bad.code, 2)
        assert.match(
          bad.stderr,
          /^error WB_INPUT_INVALID: invalid caps\.percent: "150" must be a whole number from 1 to 100/m,
        )
        const unknownKey = await cli('moderation', 'filters', 'set', 'links', 'colour=red')
        assert.equal(unknownKey.code, 2)
        assert.match(unknownKey.stderr, /invalid links\.colour: unknown key/)
        const unknownFilter = await cli('moderation', 'filters', 'set', 'swears', 'enabled=true')
        assert.equal(unknownFilter.code, 2)
        assert.match(unknownFilter.stderr, /invalid filter: "swears" is not a filter/)

        assert.equal((await cli('moderation', 'filters', 'set', 'emotes', 'max=3')).code, 0)
        const reset = await cli('moderation', 'filters', 'set', 'emotes', '--reset')
        assert.match(reset.stdout, /emotes: settings of community default removed\./)
        assert.equal((await list()).filters.emotes!.enabled, false)
      })

      test('test: filter hits are reported beside rule hits', async () => {
        writeFileSync(join(project.dir, 'spam.log'), SPAM_LOG)
        assert.equal((await cli('moderation', 'add', 'spam', '--action', 'delete')).code, 0)
        const r = await cli('moderation', 'test', 'spam.log', '--json')
        assert.equal(r.code, 0, r.stderr)
        const report = JSON.parse(r.stdout) as {
          lines: number
          rules: { pattern: string; hits: number }[]
          lines_with_filter_hits: number
          filters: { filter: string; enabled: boolean; hits: number }[]
        }
        assert.equal(report.lines, 6)
        assert.deepEqual(
          report.rules.map((x) => [x.pattern, x.hits]),
          [['spam', 1]],
        )
        assert.deepEqual(Object.fromEntries(report.filters.filter((x) => x.enabled).map((x) => [x.filter, x.hits])), {
          links: 2,
          caps: 1,
        })
        assert.equal(report.lines_with_filter_hits, 3)

        const all = JSON.parse(
          (await cli('moderation', 'test', 'spam.log', '--json', '--all-filters')).stdout,
        ) as typeof report
        assert.deepEqual(Object.fromEntries(all.filters.filter((x) => x.hits > 0).map((x) => [x.filter, x.hits])), {
          'first-chatter': 2,
          links: 2,
          caps: 1,
        })

        const human = await cli('moderation', 'test', 'spam.log')
        assert.match(human.stdout, /^3 lines with a spam-filter hit\.$/m)
        assert.match(human.stdout, /^links\s+2$/m)
      })

      test('test --all-filters: the ordinary-chat corpus has no filter hit', async () => {
        copyFileSync(
          new URL('../fixtures/filters/ordinary-chat.txt', import.meta.url),
          join(project.dir, 'ordinary.log'),
        )
        const report = JSON.parse(
          (await cli('moderation', 'test', 'ordinary.log', '--json', '--all-filters')).stdout,
        ) as { lines: number; lines_with_filter_hits: number }
        assert.ok(report.lines >= 300)
        assert.equal(report.lines_with_filter_hits, 0)
      })

      test('--help of both verbs', async () => {
        for (const verb of ['list', 'set']) {
          const h = await cli('moderation', 'filters', verb, '--help')
          assert.equal(h.code, 0, h.stderr)
          assert.match(h.stdout, /moderation filters/)
        }
      })
    })
  }
})
