/**
 * The ai module through the router, on SQLite + in-process cache and on Postgres + Redis. Two bots: A asks
 * a fake OpenAI-compatible server, B a fake Ollama. On Postgres + Redis, A and B are two router processes'
 * worth of runtime sharing one database and one Redis: the conversation context and the caps are shared.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type FakeLlm, startFakeOllama, startFakeOpenAi } from '../../../test/fakes/ai/llm-servers.js'
import { type AiBot, startAiBot } from '../../../test/helpers/ai-bot.js'
import {
  type Backend,
  postgresRedisBackend,
  serversUnavailable,
  sqliteBackend,
} from '../../../test/helpers/backends.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Storage } from '../../runtime/storage/types.js'
import { addRule } from '../router/public.js'
import { cleanup, render } from 'ink-testing-library'
import { createElement } from 'react'
import { Dashboard } from '../../tui/dashboard.js'
import { liveSource } from '../../tui/source.js'
import { waitForFrame } from '../../../test/tui/support.js'

const unavailable = await serversUnavailable()
const backends: [Backend, string | undefined][] = [
  [sqliteBackend(), undefined],
  [postgresRedisBackend(), unavailable],
]

const YAML = `modules:
  ai:
    timeout_ms: 1000
    communities:
      capped: {daily_token_cap: 60, max_tokens: 40, system_prompt: "Be brief."}
      chatty: {questions: true, greetings: true, events: [raid], reply_prefix: "", context_turns: 0}
`

/** Puts a channel in a community before the router first sees it (the hub's job in production). */
async function channelIn(storage: Storage, channel: string, community: string): Promise<void> {
  const now = Date.now()
  await storage.execute(sql`insert into entities (entity_id, platform, server_id, channel_id, community_id, is_active, config, first_seen_at, last_seen_at)
    values (${`local:s:${channel}`}, 'local', 's', ${channel}, ${community}, 1, '{}', ${now}, ${now})`)
}

const user = (name: string, channel: string) => ({
  user_id: `id-${name}`,
  user_name: name.toLowerCase(),
  display_name: name,
  channel_id: channel,
})

for (const [backend, skip] of backends) {
  describe(`ai through the router on ${backend.name}`, { skip }, () => {
    const shared = backend.name.startsWith('postgres')
    let openai: FakeLlm
    let ollama: FakeLlm
    let a: AiBot
    let b: AiBot
    /** The bot that shares A's database and cache (B on Postgres + Redis; A itself on SQLite). */
    let twin: AiBot
    let twinLlm: FakeLlm

    before(async () => {
      openai = await startFakeOpenAi('sk-test')
      ollama = await startFakeOllama()
      const env = await backend.env()
      a = await startAiBot({
        env: {
          ...env,
          AI_PROVIDER: 'openai',
          OPENAI_BASE_URL: openai.url,
          OPENAI_API_KEY: 'sk-test',
          AI_MODEL: 'gpt-test',
        },
        yaml: YAML,
      })
      b = await startAiBot({
        env: { ...(shared ? env : {}), AI_PROVIDER: 'ollama', OLLAMA_URL: ollama.url, AI_MODEL: 'llama-test' },
        yaml: YAML,
      })
      twin = shared ? b : a
      twinLlm = shared ? ollama : openai
      await channelIn(a.runtime.storage, 'capchan', 'capped')
      await channelIn(a.runtime.storage, 'chatty', 'chatty')
    })
    after(async () => {
      await a?.close()
      await b?.close()
      await openai?.close()
      await ollama?.close()
      await backend.cleanup()
    })

    test('!ai answers later through the OpenAI-compatible provider, with its key, model and settings', async () => {
      const r = await a.chat('!ai what do penguins eat?', user('Ann', 'c-openai'))
      assert.equal(r.outcome, 'command')
      assert.deepEqual(r.responses, [], 'the router is answered at once, without the answer')
      assert.equal(await a.lateReply(r.session_id), '🤖 echo: Ann: what do penguins eat?')
      const sent = openai.requests.at(-1)!
      assert.equal(sent.headers.authorization, 'Bearer sk-test')
      assert.equal(sent.body.model, 'gpt-test')
      assert.equal(sent.body.temperature, 0.7)
      assert.equal(sent.body.max_tokens, 300)
      assert.equal(sent.body.messages[0].role, 'system')
      assert.deepEqual(sent.body.messages.at(-1), { role: 'user', content: 'Ann: what do penguins eat?' })
    })

    test('!ask answers through the Ollama provider (/api/chat, no streaming)', async () => {
      const r = await b.chat('!ask why is the sky blue?', user('Bob', 'c-ollama'))
      assert.equal(r.outcome, 'command')
      assert.equal(await b.lateReply(r.session_id), '🤖 echo: Bob: why is the sky blue?')
      const sent = ollama.requests.at(-1)!
      assert.equal(sent.path, '/api/chat')
      assert.equal(sent.body.stream, false)
      assert.equal(sent.body.model, 'llama-test')
      assert.deepEqual(sent.body.options, { temperature: 0.7, num_predict: 300 })
    })

    test(`the next question in a channel carries its earlier turns${shared ? ' (asked of the other instance)' : ''}`, async () => {
      const first = await a.chat('!ai my name is Cleo', user('Cleo', 'c-context'))
      await a.lateReply(first.session_id)
      const second = await twin.chat('!ai what is my name?', user('Cleo', 'c-context'))
      assert.equal(await twin.lateReply(second.session_id), '🤖 echo: Cleo: what is my name?')
      const messages = twinLlm.requests.at(-1)!.body.messages
      assert.deepEqual(messages.slice(1), [
        { role: 'user', content: 'Cleo: my name is Cleo' },
        { role: 'assistant', content: 'echo: Cleo: my name is Cleo' },
        { role: 'user', content: 'Cleo: what is my name?' },
      ])
    })

    test('a mention of the bot is answered; plain chat is not', async () => {
      const r = await a.chat('hey @WaddleBot are you awake', user('Dee', 'c-mention'))
      assert.equal(r.outcome, 'event')
      assert.equal(await a.lateReply(r.session_id), '🤖 echo: Dee: hey @WaddleBot are you awake')
      const before = openai.requests.length
      const plain = await a.chat('just chatting, nothing to see', user('Dee', 'c-mention'))
      await a.settle()
      assert.deepEqual(plain.responses, [])
      assert.equal(openai.requests.length, before, 'plain chat does not reach the provider')
      const unasked = await a.chat('is this a question?', user('Dee', 'c-mention'))
      await a.settle()
      assert.equal(openai.requests.length, before, 'questions are off unless switched on')
      assert.deepEqual(unasked.responses, [])
    })

    test('switched on for a community: questions, greetings and raid events', async () => {
      const q = await a.chat('is this thing on?', user('Eve', 'chatty'))
      assert.equal(await a.lateReply(q.session_id), 'echo: Eve: is this thing on?')
      const g = await a.chat('hello friends', user('Fay', 'chatty'))
      assert.equal(await a.lateReply(g.session_id), 'echo: Fay: hello friends')
      const raid = await a.event({
        platform: 'local',
        server_id: 's',
        channel_id: 'chatty',
        user_id: 'id-raider',
        user_name: 'raider',
        display_name: 'Raider',
        message_type: 'raid',
        metadata: { viewers: 12 },
      })
      assert.equal(raid.outcome, 'event')
      await a.lateReply(raid.session_id)
      assert.match(
        openai.requests.at(-1)!.body.messages.at(-1).content,
        /^Raider: I just raided the channel with 12 viewers\./,
      )
      const asked = openai.requests.length
      const follow = await a.event({
        platform: 'local',
        server_id: 's',
        channel_id: 'chatty',
        user_id: 'id-fan',
        user_name: 'fan',
        message_type: 'follow',
      })
      await a.settle()
      assert.deepEqual(follow.responses, [])
      assert.equal(openai.requests.length, asked, 'follow is not among the events switched on')
    })

    test(`a daily token cap hit is refused with one line${shared ? ', across both instances' : ''}`, async () => {
      const first = await a.chat('!ai first question', user('Gus', 'capchan'))
      assert.equal(await a.lateReply(first.session_id), '🤖 echo: Gus: first question')
      const asked = openai.requests.length + ollama.requests.length
      const second = await twin.chat('!ai first question', user('Hal', 'capchan'))
      assert.deepEqual(second.responses, [
        { type: 'chat', text: "@Hal the AI has used up today's allowance here. Back tomorrow (UTC)!" },
      ])
      assert.equal(openai.requests.length + ollama.requests.length, asked, 'the provider is not asked')
    })

    test('a moderated answer is never posted: one line instead; a moderated question is refused', async () => {
      await addRule(a.runtime.storage, { pattern: 'forbiddenword', action: 'delete' })
      await addRule(a.runtime.storage, { pattern: 'warnword', action: 'warn' })
      openai.reply = () => 'sure, here is a forbiddenword for you'
      try {
        const r = await a.chat('!ai say something rude', user('Ivy', 'c-mod'))
        assert.equal(
          await a.lateReply(r.session_id),
          "@Ivy I came up with an answer I can't post here. Try asking differently.",
        )
        assert.ok(!JSON.stringify(a.published).includes('forbiddenword'), 'the blocked answer is never published')
      } finally {
        openai.reply = (m) => `echo: ${m.at(-1)!.content}`
      }
      const asked = openai.requests.length
      const q = await a.chat('!ai tell me about warnword', user('Jo', 'c-mod'))
      assert.equal(q.outcome, 'command')
      assert.ok(
        q.responses.some((x: { text?: string }) => x.text === "@Jo I can't answer that one."),
        q.responses,
      )
      assert.equal(openai.requests.length, asked, 'a blocked question never reaches the provider')
    })

    test('per-user rate limit: the 4th question in a minute gets one line, the 5th none', async () => {
      const who = user('Kit', 'c-rate')
      for (let i = 1; i <= 3; i++) assert.deepEqual((await a.chat(`!ai question ${i}`, who)).responses, [])
      const fourth = await a.chat('!ai question 4', who)
      assert.equal(fourth.responses.length, 1)
      assert.match(fourth.responses[0].text, /^@Kit the AI needs a breather, ask again in \d+ s\.$/)
      assert.deepEqual((await a.chat('!ai question 5', who)).responses, [])
      await a.settle()
    })

    test('a provider error or timeout gives one friendly line', async () => {
      openai.failWith = 500
      try {
        const r = await a.chat('!ai are you there?', user('Lu', 'c-fail'))
        assert.equal(await a.lateReply(r.session_id), "@Lu I can't answer right now, try again in a bit.")
      } finally {
        openai.failWith = undefined
      }
      openai.delayMs = 2000
      try {
        const r = await a.chat('!ai are you slow?', user('Max', 'c-fail'))
        assert.equal(await a.lateReply(r.session_id), '@Max the AI took too long to answer, try again in a bit.')
      } finally {
        openai.delayMs = 0
      }
    })

    test("answers are trimmed to the platform's length limit", async () => {
      openai.reply = () => 'word '.repeat(600).trim()
      try {
        const twitch = await a.chat('!ai talk a lot', { ...user('Ned', 'c-long'), platform: 'twitch' })
        const line = await a.lateReply(twitch.session_id)
        assert.ok([...line].length <= 500, `${[...line].length} characters`)
        assert.ok(line.endsWith('word…'), line.slice(-20))
        const discord = await a.chat('!ai talk a lot', { ...user('Ola', 'c-long'), platform: 'discord' })
        const long = await a.lateReply(discord.session_id)
        assert.ok([...long].length <= 2000 && [...long].length > 1900, `${[...long].length} characters`)
        assert.ok(long.endsWith('word…'))
        openai.reply = () => 'word '.repeat(90).trim()
        const fits = await a.chat('!ai talk a bit', { ...user('Pia', 'c-long'), platform: 'twitch' })
        assert.equal(await a.lateReply(fits.session_id), `🤖 ${'word '.repeat(90).trim()}`, 'a short answer is whole')
      } finally {
        openai.reply = (m) => `echo: ${m.at(-1)!.content}`
      }
    })

    test('usage per community per day: GET /api/v1/ai/usage and /metrics', async () => {
      const ai = a.runtime.hosted.find((h) => h.def.name === 'ai')!.app
      const denied = await ai.inject({ method: 'GET', url: '/api/v1/ai/usage' })
      assert.equal(denied.statusCode, 401)
      const headers = { 'x-service-key': a.runtime.serviceKey }
      const bad = await ai.inject({ method: 'GET', url: '/api/v1/ai/usage?days=0', headers })
      assert.equal(bad.statusCode, 400)
      assert.equal(bad.json().error.field, 'days')
      const usage = (await ai.inject({ method: 'GET', url: '/api/v1/ai/usage', headers })).json()
      assert.equal(usage.provider, 'openai')
      const today = new Map(usage.today.map((r: { community_id: string }) => [r.community_id, r]))
      const def = today.get('default') as { tokens: number; answers: number; daily_token_cap: number }
      assert.ok(def.tokens > 0 && def.answers > 0, JSON.stringify(usage.today))
      assert.equal(def.daily_token_cap, 100_000)
      assert.equal((today.get('capped') as { daily_token_cap: number }).daily_token_cap, 60)
      // /metrics (one registry per process) reads the usage of the ai module set up last: B's.
      const bApp = b.runtime.hosted.find((h) => h.def.name === 'ai')!.app
      const bHeaders = { 'x-service-key': b.runtime.serviceKey }
      const bUsage = (await bApp.inject({ method: 'GET', url: '/api/v1/ai/usage', headers: bHeaders })).json()
      const bTokens = bUsage.today.find((r: { community_id: string }) => r.community_id === 'default').tokens
      const metrics = (await bApp.inject({ method: 'GET', url: '/metrics' })).body
      assert.match(metrics, new RegExp(`waddlebot_ai_tokens_today\\{community="default"\\} ${bTokens}\\n`))
      assert.match(metrics, /waddlebot_ai_tokens_total\{community="default",provider="openai"\} \d+/)
    })

    test("the dashboard shows today's AI tokens, read from the ai module the router lists", async () => {
      const router = a.runtime.hosted.find((h) => h.def.name === 'router')!
      const source = liveSource({
        url: router.url,
        key: a.runtime.serviceKey,
        statsIntervalMs: 100,
        claimsIntervalMs: 100,
      })
      const ui = render(createElement(Dashboard, { source, width: 100, height: 24 }))
      try {
        const text = await waitForFrame(
          ui.lastFrame,
          (t) => /AI today [\d,]+ tok \(default [\d,]+\/100,000/.test(t),
          5000,
          'AI usage',
        )
        assert.match(text, /capped [\d,]+\/60/)
      } finally {
        ui.unmount()
        cleanup()
      }
    })
  })
}
