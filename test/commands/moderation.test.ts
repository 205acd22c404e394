/**
 * `waddlebot moderation add|list|remove|test` end to end (the real CLI as a child process), on SQLite and
 * on Postgres + Redis. The replay is checked against hit counts computed here, independently of the matcher.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { type Backend, postgresRedisBackend, serversUnavailable, sqliteBackend } from '../helpers/backends.js'
import { addRule } from '../../src/modules/router/matcher/rules.js'
import { coreMigrations } from '../../src/runtime/storage/core-migrations.js'
import { createStorage } from '../../src/runtime/storage/index.js'
import { runCli } from '../helpers/cli.js'
import { type TestProject, testProject } from '../helpers/settings.js'

interface Rule {
  id: number
  pattern: string
  match_type: string
  action: string
  entity_id: string | null
}

/** A deterministic 1,000-line chat log in the three accepted line formats, and its messages. */
function chatLog(): { text: string; messages: string[] } {
  const bodies = [
    'hello chat',
    'this is SPAM',
    'spammer alert',
    'you idiot',
    'IDIOT!',
    'idiots everywhere',
    'idiotic',
    '!discord',
    '!Discord',
    '!discord now',
    'Hello',
    '  Hello  ',
    'hello',
    'gg wp',
    'nice spam-free stream',
    'the idiot_bot',
  ]
  const messages: string[] = []
  const lines: string[] = []
  for (let i = 0; i < 1000; i++) {
    const message = bodies[(i * 7 + Math.floor(i / 13)) % bodies.length]
    messages.push(message)
    const user = `user${i % 17}`
    const hh = String(Math.floor(i / 60) % 24).padStart(2, '0')
    const mm = String(i % 60).padStart(2, '0')
    lines.push(i % 3 === 0 ? message : i % 3 === 1 ? `${user}: ${message}` : `[${hh}:${mm}:07] ${user}: ${message}`)
    if (i % 100 === 99) lines.push('')
  }
  return { text: `${lines.join('\n')}\n`, messages }
}

/** The expected hits per rule, computed with plain string checks. */
function expectedHits(messages: string[]): Record<string, number> {
  const count = (test: (m: string) => boolean) => messages.filter(test).length
  return {
    spam: count((m) => m.toLowerCase().includes('spam')),
    idiot: count((m) => /(^|[^\p{L}\p{N}_])idiot($|[^\p{L}\p{N}\p{M}_])/iu.test(m)),
    '^!discord$': count((m) => m.toLowerCase() === '!discord'),
    Hello: count((m) => m.trim() === 'Hello'),
    '*': messages.length,
  }
}

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

describe('waddlebot moderation', { concurrency: true }, () => {
  for (const [backend, skip] of backends) {
    describe(`on ${backend.name}`, { skip, concurrency: false }, () => {
      let project: TestProject
      let env: Record<string, string>
      const cli = (...args: string[]) => runCli(args, { cwd: project.dir, env, timeoutMs: 60_000 })
      const ids = new Map<string, number>()

      before(async () => {
        project = testProject()
        env = {
          WADDLEBOT_CONFIG: '',
          DATABASE_URL: 'sqlite:./data/moderation.db',
          REDIS_URL: '',
          WADDLEBOT_LOG_LEVEL: 'silent',
          ...(await backend.env()),
        }
      })
      after(async () => {
        await backend.cleanup()
        project?.cleanup()
      })

      test('add: every flag; bad input exits 2 naming the field', async () => {
        // Two rules go in through the repository, the rest through the CLI.
        const storage = await createStorage({ url: env.DATABASE_URL!, cwd: project.dir })
        await storage.migrate([coreMigrations])
        ids.set('spam', (await addRule(storage, { pattern: 'spam', action: 'delete' })).id)
        ids.set(
          '^!discord$',
          (
            await addRule(storage, {
              pattern: '^!discord$',
              match_type: 'regex',
              action: 'respond',
              action_value: 'Join us',
            })
          ).id,
        )
        await storage.close()
        const adds: [string, string[]][] = [
          ['idiot', ['idiot', '--type', 'word', '--action', 'timeout', '--duration', '60', '--priority', '10']],
          ['Hello', ['Hello', '--type', 'exact', '--case-sensitive', '--action', 'command', '--value', '!so {user}']],
        ]
        for (const [pattern, args] of adds) {
          const r = await cli('moderation', 'add', ...args, '--json')
          assert.equal(r.code, 0, r.stderr)
          const rule = JSON.parse(r.stdout) as Rule & {
            timeout_seconds: number | null
            case_sensitive: boolean
            action_value: string | null
          }
          assert.equal(rule.pattern, pattern)
          ids.set(pattern, rule.id)
          if (pattern === 'idiot')
            assert.deepEqual([rule.match_type, rule.action, rule.timeout_seconds], ['word', 'timeout', 60])
          else
            assert.deepEqual([rule.match_type, rule.case_sensitive, rule.action_value], ['exact', true, '!so {user}'])
        }
        const text = await cli('moderation', 'add', '*', '--entity', 'twitch:1:1', '--priority', '500')
        assert.equal(text.code, 0, text.stderr)
        assert.match(text.stdout, /^Added rule \d+: contains "\*" → warn/m)
        ids.set('*', Number(/Added rule (\d+)/.exec(text.stdout)![1]))

        const refused = await cli('moderation', 'add', '(a)\\1', '--type', 'regex')
        assert.equal(refused.code, 2)
        assert.match(refused.stderr, /^error WB_INPUT_INVALID: invalid pattern: backreferences/m)
      })

      test('list (JSON by priority, and as text); remove by id; an unknown id exits 2', async () => {
        const all = JSON.parse((await cli('moderation', 'list', '--json')).stdout) as Rule[]
        assert.deepEqual(
          all.map((r) => r.pattern),
          ['idiot', 'spam', '^!discord$', 'Hello', '*'],
        )
        const extra = (await cli('moderation', 'add', 'gg', '--json')).stdout
        const gg = (JSON.parse(extra) as Rule).id
        const r = await cli('moderation', 'remove', String(gg))
        assert.equal(r.code, 0, r.stderr)
        assert.match(r.stdout, new RegExp(`Removed rule ${gg}\\.`))
        const again = await cli('moderation', 'remove', String(gg))
        assert.equal(again.code, 2)
        assert.match(again.stderr, /WB_RULE_UNKNOWN/)
        const text = (await cli('moderation', 'list')).stdout
        assert.match(text, /twitch:1:1\s+contains "\*" → warn/)
        assert.match(text, /global\s+word "idiot" → timeout 60 s/)
        assert.doesNotMatch(text, /"gg"/)
      })

      test('test: replays a 1,000-line chat log with exact per-rule hit counts', async () => {
        const { text, messages } = chatLog()
        writeFileSync(join(project.dir, 'chat.log'), text)
        const want = expectedHits(messages)
        assert.ok(Object.values(want).every((n) => n > 0 && n <= 1000))

        const allRules = await cli('moderation', 'test', 'chat.log', '--json')
        assert.equal(allRules.code, 0, allRules.stderr)
        const report = JSON.parse(allRules.stdout) as {
          lines: number
          lines_with_hits: number
          rules: (Rule & { hits: number })[]
        }
        assert.equal(report.lines, 1000)
        assert.deepEqual(Object.fromEntries(report.rules.map((r) => [r.pattern, r.hits])), want)
        assert.equal(report.lines_with_hits, 1000, 'the * rule hits every line when every rule is tested')

        const scoped = JSON.parse(
          (await cli('moderation', 'test', 'chat.log', '--json', '--entity', 'twitch:2:2')).stdout,
        ) as typeof report
        const { '*': _star, ...globalWant } = want
        assert.deepEqual(Object.fromEntries(scoped.rules.map((r) => [r.pattern, r.hits])), globalWant)
        const independent = messages.filter((m) =>
          Object.entries(expectedHits([m])).some(([pattern, n]) => pattern !== '*' && n > 0),
        )
        assert.equal(scoped.lines_with_hits, independent.length)

        const human = await cli('moderation', 'test', 'chat.log', '--entity', 'twitch:2:2')
        assert.equal(human.code, 0, human.stderr)
        assert.match(
          human.stdout,
          new RegExp(`^1000 lines, ${independent.length} with a hit \\(dry run: nothing was sent\\)\\.`, 'm'),
        )
        assert.match(
          human.stdout,
          new RegExp(`^\\s+${ids.get('spam')}\\s+${want.spam}\\s+delete\\s+contains\\s+"spam"$`, 'm'),
        )
        assert.match(
          human.stdout,
          new RegExp(`^\\s+${ids.get('idiot')}\\s+${want.idiot}\\s+timeout\\s+word\\s+"idiot"$`, 'm'),
        )

        const missing = await cli('moderation', 'test', 'nope.log')
        assert.equal(missing.code, 2)
        assert.match(missing.stderr, /invalid file: cannot read .*nope\.log \(ENOENT\)/)
      })
    })
  }
})
