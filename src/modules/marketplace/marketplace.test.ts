/**
 * The marketplace end to end, in one runtime (router + marketplace + community) per backend: publish (schema,
 * probe, checksum), install in community A only, `#` commands on every remote target kind (signed webhook,
 * Lambda and OpenWhisk fakes, a container over HTTP), chat and overlay responses, approved scopes, uninstall,
 * enable/disable, upgrade, reviews (one per person), and `#modules` / `!marketplace` in chat.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { FAKE_CREDENTIALS, type FakeLambda, startLambdaServer } from '../../../test/fakes/lambda-server.js'
import { checksumOf, marketModule } from '../../../test/fakes/market-module.js'
import { FAKE_OPENWHISK_AUTH, startOpenWhiskServer } from '../../../test/fakes/openwhisk-server.js'
import {
  type FakeServer,
  startFakeServer,
  startWebhookServer,
  type WebhookReceiver,
} from '../../../test/fakes/webhook-server.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { freeOffset } from '../../../test/helpers/cli.js'
import { chatEvent } from '../../../test/helpers/router-runtime.js'
import { type TestProject, testProject } from '../../../test/helpers/settings.js'
import type { ExecutionRequest } from '../../contract/execution.js'
import { createApiKey } from '../../runtime/api-keys.js'
import { loadSettings } from '../../runtime/config.js'
import { type Runtime, startRuntime } from '../../runtime/host.js'
import { sql } from '../../runtime/storage/sql.js'
import { builtinCatalog } from '../catalog.js'
import { addEntity, createCommunity } from '../community/public.js'

const SECRET = 'marketplace-webhook-secret'
const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of test requests
type Json = any

let hookUrl = ''
const weather = (overrides: Record<string, unknown> = {}) => ({
  name: 'weather',
  version: '1.0.0',
  summary: 'Weather for a city',
  author: 'Penguin Labs',
  commands: [{ name: '#weather', usage: '<city>', summary: 'Current weather' }],
  target: { type: 'webhook', location: `${hookUrl}/run`, timeout_ms: 3000 },
  scopes: ['chat:write', 'overlay:write'],
  checksum: checksumOf('weather-1.0.0'),
  ...overrides,
})

for (const [backend, skip] of backends) {
  describe(`marketplace on ${backend.name}`, { skip }, () => {
    let project: TestProject
    let runtime: Runtime
    let hook: WebhookReceiver
    let lambda: FakeLambda
    let whisk: Awaited<ReturnType<typeof startOpenWhiskServer>>
    let container: FakeServer
    let overlay: FakeServer
    let keys: { admin: string; collector: string }
    let healthy = true

    const app = (name: string) => runtime.hosted.find((h) => h.def.name === name)!.app
    const market = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown, key = keys.admin) =>
      app('marketplace').inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
        headers: { 'x-api-key': key },
      })
    /** A chat line in community A (server a) or B (server b). */
    const say = async (server: 'a' | 'b', message: string, extra: Record<string, unknown> = {}): Promise<Json> =>
      (
        await app('router').inject({
          method: 'POST',
          url: '/api/v1/events',
          payload: chatEvent(message, { server_id: server, ...extra }),
          headers: { 'x-api-key': keys.collector },
        })
      ).json()
    /**
     * Says `message` until `done(answer)`: an install reaches the routers through `commands:changed`
     * (pub/sub; Redis between processes), so the first event after it may still see the old table.
     */
    const sayUntil = async (
      server: 'a' | 'b',
      message: string,
      done: (a: Json) => boolean,
      extra = {},
    ): Promise<Json> => {
      let answer: Json
      for (let i = 0; i < 250; i++) {
        answer = await say(server, message, extra)
        if (done(answer)) return answer
        await new Promise((r) => setTimeout(r, 20))
      }
      assert.fail(`${message} never settled: ${JSON.stringify(answer)}`)
    }
    const known = (a: Json) => a.outcome !== 'unknown_command'
    const unknown = (a: Json) => a.outcome === 'unknown_command'
    const install = (community: string, module: string, scopes: string[], version?: string) =>
      market('POST', `/api/v1/marketplace/communities/${community}/installs`, {
        module,
        approve_scopes: scopes,
        ...(version ? { version } : {}),
      })

    before(async () => {
      hook = await startWebhookServer(SECRET, (req) => {
        const request = JSON.parse(req.body) as ExecutionRequest
        if (!healthy) return { status: 500, body: { error: 'down' } }
        const artifact = req.url.startsWith('/v2') ? 'weather-1.1.0' : 'weather-1.0.0'
        const city = request.args.join(' ') || 'nowhere'
        return {
          status: 200,
          body: marketModule(artifact, () => [
            { type: 'chat', text: `${req.url.startsWith('/v2') ? 'v2: ' : ''}Sunny in ${city}` },
            { type: 'ticker', text: `Weather: sunny in ${city}` },
            { type: 'moderation', action: 'ban', reason: 'not approved' },
          ])(request),
        }
      })
      hookUrl = hook.url
      lambda = await startLambdaServer({
        forecast: (payload) => ({
          payload: marketModule('forecast', () => [{ type: 'chat', text: 'Rain tomorrow' }])(payload),
        }),
      })
      whisk = await startOpenWhiskServer({
        'bots/dice': (params) => ({ result: marketModule('dice', () => [{ type: 'chat', text: 'rolled 4' }])(params) }),
      })
      container = await startFakeServer((req) => ({
        status: 200,
        body: marketModule('joke', (r) => [{ type: 'chat', text: `joke for ${r.user.name}` }])(
          JSON.parse(req.body) as ExecutionRequest,
        ),
      }))
      overlay = await startFakeServer(() => ({ status: 200, body: { delivered: 1 } }))
      const offset = await freeOffset([8000, 8001, 8045, 8050])
      const env = {
        ...(await backend.env()),
        WADDLEBOT_PORT_OFFSET: String(offset),
        WADDLEBOT_WEBHOOK_SECRET: SECRET,
        WADDLEBOT_LOG_LEVEL: 'error',
        WADDLEBOT_TARGET_ALLOW: '127.0.0.1',
        AWS_LAMBDA_ENDPOINT: lambda.url,
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
        OPENWHISK_API_HOST: whisk.url,
        OPENWHISK_AUTH: FAKE_OPENWHISK_AUTH,
      }
      project = testProject({ env })
      writeFileSync(`${project.dir}/waddlebot.yaml`, `modules:\n  browser-source: {url: "${overlay.url}"}\n`)
      const settings = loadSettings({ cwd: project.dir, env: { ...project.settings.env, ...env } })
      runtime = await startRuntime({
        catalog: builtinCatalog,
        settings,
        modules: ['router', 'community', 'identity', 'marketplace'],
        listen: false,
      })
      keys = {
        admin: (await createApiKey(runtime.storage, 'a', 'admin')).key,
        collector: (await createApiKey(runtime.storage, 'c', 'collector')).key,
      }
      for (const [name, server] of [
        ['Alpha', 'a'],
        ['Beta', 'b'],
      ] as const) {
        await createCommunity(runtime.storage, { name, actor: 'test' })
        await addEntity(runtime.storage, {
          community: name.toLowerCase(),
          entityId: `local:${server}:c`,
          actor: 'test',
        })
      }
    })
    after(async () => {
      await runtime?.stop()
      await Promise.all([hook?.close(), lambda?.close(), whisk?.close(), container?.close(), overlay?.close()])
      await backend.cleanup()
      project?.cleanup()
    })

    test('publish validates the manifest, probes the target and refuses a bad checksum or a dead target', async () => {
      const malformed = await market('POST', '/api/v1/marketplace/modules', weather({ checksum: 'md5:abc' }))
      assert.equal(malformed.statusCode, 400)
      assert.equal(malformed.json().error.code, 'WB_INPUT_INVALID')
      assert.match(malformed.json().error.message, /manifest\.checksum/)
      const badCommand = await market('POST', '/api/v1/marketplace/modules', {
        ...weather(),
        commands: [{ name: '!weather' }],
      })
      assert.equal(badCommand.statusCode, 400)
      assert.match(badCommand.json().error.message, /manifest\.commands\.0\.name/)

      const target = { type: 'webhook', location: `${hook.url}/run`, timeout_ms: 3000 }
      const wrong = await market(
        'POST',
        '/api/v1/marketplace/modules',
        weather({ target, checksum: checksumOf('something else') }),
      )
      assert.equal(wrong.statusCode, 422)
      assert.equal(wrong.json().error.code, 'WB_MARKET_CHECKSUM_MISMATCH')
      assert.match(
        wrong.json().error.message,
        new RegExp(`weather 1.0.0 refused: its target runs ${checksumOf('weather-1.0.0')}, the manifest declares`),
      )
      const dead = await market(
        'POST',
        '/api/v1/marketplace/modules',
        weather({ target: { type: 'container', location: 'http://127.0.0.1:9/x', timeout_ms: 1000 } }),
      )
      assert.equal(dead.statusCode, 422)
      assert.equal(dead.json().error.code, 'WB_MARKET_TARGET_FAILED')
      assert.match(dead.json().error.message, /weather 1.0.0 refused: the target did not pass its health check/)

      const ok = await market('POST', '/api/v1/marketplace/modules', weather({ target }))
      assert.equal(ok.statusCode, 201, ok.body)
      assert.deepEqual(ok.json(), { module: 'weather', version: '1.0.0', checksum: checksumOf('weather-1.0.0') })
      const again = await market('POST', '/api/v1/marketplace/modules', weather({ target }))
      assert.equal(again.json().error.code, 'WB_MARKET_VERSION_EXISTS')
      const clash = await market('POST', '/api/v1/marketplace/modules', weather({ name: 'weather-copy', target }))
      assert.equal(clash.statusCode, 409)
      assert.match(clash.json().error.message, /#weather belongs to marketplace module weather/)

      const found = await market('GET', '/api/v1/marketplace/modules?q=city', undefined, '')
      assert.equal(found.statusCode, 200)
      assert.deepEqual(
        found.json().modules.map((m: Json) => [m.name, m.latest_version, m.commands, m.installs]),
        [['weather', '1.0.0', ['#weather'], 0]],
      )
      assert.equal((await market('GET', '/api/v1/marketplace/modules?q=nothing-like-it')).json().modules.length, 0)
    })

    test('install in community A: #weather answers there (chat + overlay), B gets unknown_command', async () => {
      const unapproved = await install('alpha', 'weather', ['chat:write'])
      assert.equal(unapproved.statusCode, 403)
      assert.equal(unapproved.json().error.code, 'WB_MARKET_SCOPES_UNAPPROVED')
      assert.match(unapproved.json().error.message, /weather asks for overlay:write/)

      const done = await install('alpha', 'weather', ['chat:write', 'overlay:write'])
      assert.equal(done.statusCode, 201, done.body)
      assert.deepEqual(
        { version: done.json().version, commands: done.json().commands, enabled: done.json().enabled },
        { version: '1.0.0', commands: ['#weather'], enabled: true },
      )
      const seen = hook.requests.length
      const answer = await sayUntil('a', '#weather Paris', known)
      assert.equal(answer.outcome, 'command')
      assert.equal(answer.command, '#weather')
      // The ban is dropped: the community approved chat and overlays only.
      assert.deepEqual(answer.responses, [
        { type: 'chat', text: 'Sunny in Paris' },
        { type: 'ticker', text: 'Weather: sunny in Paris' },
      ])
      assert.equal(hook.verified.at(-1), true)
      const sent = JSON.parse(hook.requests.at(-1)!.body) as ExecutionRequest
      assert.equal(sent.entity.community_id, 'alpha')
      assert.equal(sent.session_id, answer.session_id)
      for (let i = 0; i < 200 && !overlay.requests.some((r) => r.body.includes('sunny in Paris')); i++)
        await new Promise((r) => setTimeout(r, 10))
      const pushed = overlay.requests.find((r) => r.body.includes('sunny in Paris'))
      assert.ok(pushed, 'the ticker reached browser-source')
      assert.equal(pushed.url, '/browser/source/display')
      assert.equal(JSON.parse(pushed.body).type, 'ticker')

      const other = await say('b', '#weather Paris')
      assert.equal(other.outcome, 'unknown_command')
      assert.equal(hook.requests.length, seen + 1, 'community B never reached the target')
      const twice = await install('alpha', 'weather', ['chat:write', 'overlay:write'])
      assert.equal(twice.json().error.code, 'WB_MARKET_INSTALLED')
    })

    test('the same # flow on Lambda, OpenWhisk and a container over HTTP', async () => {
      const modules = [
        {
          name: 'forecast',
          command: '#forecast',
          target: { type: 'lambda', location: 'lambda:forecast' },
          artifact: 'forecast',
          says: 'Rain tomorrow',
        },
        {
          name: 'dice',
          command: '#dice',
          target: { type: 'openwhisk', location: 'openwhisk:bots/dice' },
          artifact: 'dice',
          says: 'rolled 4',
        },
        {
          name: 'joke',
          command: '#joke',
          target: { type: 'container', location: container.url },
          artifact: 'joke',
          says: 'joke for Ann',
        },
      ]
      for (const m of modules) {
        const published = await market('POST', '/api/v1/marketplace/modules', {
          name: m.name,
          version: '0.1.0',
          summary: `${m.name} module`,
          commands: [{ name: m.command }],
          target: { ...m.target, timeout_ms: 5000 },
          checksum: checksumOf(m.artifact),
        })
        assert.equal(published.statusCode, 201, published.body)
        assert.equal((await install('alpha', m.name, ['chat:write'])).statusCode, 201)
        const answer = await sayUntil('a', m.command, known)
        assert.equal(answer.outcome, 'command', `${m.command}: ${JSON.stringify(answer)}`)
        assert.deepEqual(answer.responses, [{ type: 'chat', text: m.says }])
        assert.equal((await say('b', m.command)).outcome, 'unknown_command')
      }
      assert.ok(lambda.requests.some((r) => r.url.includes('/functions/forecast/invocations')))
    })

    test('a target that fails its health check at install is refused with the reason', async () => {
      healthy = false
      try {
        const refused = await install('beta', 'weather', ['chat:write', 'overlay:write'])
        assert.equal(refused.statusCode, 422)
        assert.equal(refused.json().error.code, 'WB_MARKET_TARGET_FAILED')
        assert.match(
          refused.json().error.message,
          /weather 1.0.0 refused: the target did not pass its health check: .*500/,
        )
      } finally {
        healthy = true
      }
      const installs = await market('GET', '/api/v1/marketplace/communities/beta/installs')
      assert.deepEqual(installs.json().installs, [])
      assert.equal((await say('b', '#weather Oslo')).outcome, 'unknown_command')
    })

    test('disable, enable and upgrade change what runs in A at once; uninstall removes the command', async () => {
      const base = '/api/v1/marketplace/communities/alpha/installs/weather'
      assert.equal((await market('POST', `${base}/disable`, {})).statusCode, 200)
      await sayUntil('a', '#weather Rome', unknown)
      assert.equal((await market('POST', `${base}/enable`, {})).statusCode, 200)
      assert.equal((await sayUntil('a', '#weather Rome', known)).responses[0].text, 'Sunny in Rome')

      const v2 = await market(
        'POST',
        '/api/v1/marketplace/modules',
        weather({
          version: '1.1.0',
          target: { type: 'webhook', location: `${hook.url}/v2/run`, timeout_ms: 3000 },
          checksum: checksumOf('weather-1.1.0'),
        }),
      )
      assert.equal(v2.statusCode, 201, v2.body)
      const v1 = await market('GET', '/api/v1/marketplace/modules/weather/versions/1.0.0')
      assert.equal(v1.json().manifest.checksum, checksumOf('weather-1.0.0'))
      assert.equal((await market('GET', '/api/v1/marketplace/modules/weather/versions/9.9.9')).statusCode, 404)
      const versions = await market('GET', '/api/v1/marketplace/modules/weather/versions')
      assert.deepEqual(
        versions.json().versions.map((v: Json) => v.version),
        ['1.1.0', '1.0.0'],
      )
      const up = await market('POST', `${base}/upgrade`, {})
      assert.equal(up.statusCode, 200, up.body)
      assert.equal(up.json().version, '1.1.0')
      await sayUntil('a', '#weather Rome', (a) => a.responses[0]?.text === 'v2: Sunny in Rome')

      const gone = await market('DELETE', base)
      assert.equal(gone.statusCode, 204)
      await sayUntil('a', '#weather Rome', unknown)
      const row = await runtime.storage.one<{ is_active: number }>(
        sql`select is_active from commands where prefix = '#' and name = 'weather'`,
      )
      assert.equal(Number(row?.is_active), 0)
      assert.equal((await market('DELETE', base)).json().error.code, 'WB_MARKET_NOT_INSTALLED')
      const audit = await runtime.storage.query<{ action: string }>(
        sql`select action from audit_log where action like 'marketplace.%' and target_id = 'alpha' order by id`,
      )
      assert.deepEqual(
        audit.map((a) => a.action).filter((a) => a !== 'marketplace.install'),
        ['marketplace.disable', 'marketplace.enable', 'marketplace.upgrade', 'marketplace.uninstall'],
      )
    })

    test('reviews: one per person (a second one replaces the first)', async () => {
      const url = '/api/v1/marketplace/modules/dice/reviews'
      const first = await market('POST', url, { platform: 'twitch', user_id: '42', user_name: 'ann', rating: 2 })
      assert.equal(first.statusCode, 201, first.body)
      assert.match(first.json().reviewer, /^idn_/, 'keyed on the identity of the account')
      const second = await market('POST', url, { platform: 'twitch', user_id: '42', rating: 5, text: 'great' })
      assert.equal(second.statusCode, 200)
      assert.equal(second.json().replaced, true)
      assert.equal(second.json().reviewer, first.json().reviewer)
      await market('POST', url, { identity_id: 'idn_bob', rating: 3 })
      const bad = await market('POST', url, { platform: 'twitch', user_id: '43', rating: 6 })
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.field, 'rating')
      const shown = (await market('GET', '/api/v1/marketplace/modules/dice')).json()
      assert.equal(shown.reviews, 2)
      assert.equal(shown.rating, 4)
      assert.equal(shown.manifest.target.type, 'openwhisk')
      assert.equal((await market('GET', '/api/v1/marketplace/modules/nope')).statusCode, 404)
    })

    test('chat: #modules lists what is installed; !marketplace install|remove is for community admins', async () => {
      const listed = await say('a', '#modules')
      assert.match(
        listed.responses[0].text,
        /Community modules here: dice 0.1.0 \(#dice\) · forecast 0.1.0 \(#forecast\) · joke 0.1.0 \(#joke\)/,
      )
      assert.match((await say('b', '#modules')).responses[0].text, /No community modules here yet/)
      const viewer = await say('b', '!marketplace install dice')
      assert.equal(viewer.outcome, 'forbidden')
      const owner = { roles: ['broadcaster'], user_id: 'owner-b' }
      const asks = await say('b', '!marketplace install dice', owner)
      assert.match(
        asks.responses[0].text,
        /dice 0.1.0 asks for: chat:write. To approve and install: !marketplace install dice approve/,
      )
      assert.equal((await say('b', '#dice')).outcome, 'unknown_command')
      const yes = await say('b', '!marketplace install dice approve', owner)
      assert.equal(yes.responses[0].text, 'Installed dice 0.1.0: #dice now work in this community.')
      assert.deepEqual((await sayUntil('b', '#dice', known)).responses, [{ type: 'chat', text: 'rolled 4' }])
      const removed = await say('b', '!marketplace remove dice', owner)
      assert.equal(removed.responses[0].text, 'Removed dice from this community.')
      await sayUntil('b', '#dice', unknown)
      assert.deepEqual((await say('a', '#dice')).responses, [{ type: 'chat', text: 'rolled 4' }], 'A keeps it')
      const helpA = (await say('a', '!commands')).responses[0].text as string
      const helpB = (await say('b', '!commands')).responses[0].text as string
      assert.ok(helpA.includes('#dice') && helpA.includes('#modules'), helpA)
      assert.ok(!helpB.includes('#dice') && helpB.includes('#modules'), `B lists only what it installed: ${helpB}`)
      assert.match(
        (await say('b', '!marketplace search forecast', owner)).responses[0].text,
        /forecast 0.1.0: forecast module \(#forecast\)/,
      )
      const missing = await say('b', '!marketplace install nothing', owner)
      assert.equal(missing.responses[0].text, 'no module nothing in the marketplace.')
    })
  })
}
