/** The ai module's pure parts: triggers, prompt building within a token budget, reply fitting, config, providers. */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, test } from 'node:test'
import { aiConfigSchema, configFor } from './config.js'
import { buildPrompt, estimateMessages, estimateTokens, type Turn } from './conversation.js'
import { ollamaProvider, openAiProvider, ProviderError, providerFromEnv } from './providers.js'
import { fitReply, limitFor } from './replies.js'
import { chatTrigger, eventPrompt, mentions } from './triggers.js'

const defaults = configFor(aiConfigSchema.parse({}), 'default')

describe('triggers', () => {
  test('a mention: @name anywhere or the name as a word, any case; not inside another word', () => {
    assert.ok(mentions('hey @WaddleBot!', ['waddlebot']))
    assert.ok(mentions('waddlebot, are you there', ['waddlebot']))
    assert.ok(!mentions('waddlebots are cool', ['waddlebot']))
    assert.ok(!mentions('mywaddlebot', ['waddlebot']))
    assert.ok(mentions('hi (bot.name) there', ['bot.name']), 'regex characters in a name are literal')
  })

  test('given the defaults, only mentions fire; questions and greetings once switched on', () => {
    assert.equal(chatTrigger('@waddlebot hi', defaults), 'mention')
    assert.equal(chatTrigger('is it live?', defaults), undefined)
    assert.equal(chatTrigger('hello all', defaults), undefined)
    const chatty = { ...defaults, questions: true, greetings: true }
    assert.equal(chatTrigger('is it live?', chatty), 'question')
    assert.equal(chatTrigger('Hello, all', chatty), 'greeting')
    assert.equal(chatTrigger('o7', chatty), 'greeting')
    assert.equal(chatTrigger('well hello', chatty), undefined, 'a greeting is the first word')
    assert.equal(chatTrigger('   ', chatty), undefined)
    assert.equal(chatTrigger('what ??', { ...chatty, question_trigger: '??' }), 'question')
  })

  test('event prompts name the event (and a raid its viewers)', () => {
    assert.match(eventPrompt('follow', {}), /followed/)
    assert.match(eventPrompt('subscription', {}), /subscribed/)
    assert.match(eventPrompt('raid', { viewers: 7 }), /raided the channel with 7 viewers/)
    assert.match(eventPrompt('raid', {}), /raided the channel\./)
  })
})

describe('prompt within the token budget', () => {
  const turn = (i: number): Turn => ({
    user: 'Ann',
    question: `question ${i}`,
    answer: `answer ${i}`.padEnd(200, '.'),
    at: i,
  })

  test('estimate: ⌈characters / 4⌉ + 4 per message', () => {
    assert.equal(estimateTokens(''), 4)
    assert.equal(estimateTokens('abcde'), 6)
  })

  test('all turns when they fit, oldest first, then the question', () => {
    const messages = buildPrompt('sys', [turn(1), turn(2)], 'Bob', 'why?', 10_000)
    assert.deepEqual(
      messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user', 'assistant', 'user'],
    )
    assert.equal(messages[1]!.content, 'Ann: question 1')
    assert.equal(messages.at(-1)!.content, 'Bob: why?')
  })

  test('oldest turns drop first to fit the budget; system prompt and question always stay', () => {
    const turns = Array.from({ length: 10 }, (_, i) => turn(i))
    const messages = buildPrompt('sys', turns, 'Bob', 'why?', 300)
    assert.ok(estimateMessages(messages) <= 300, String(estimateMessages(messages)))
    assert.equal(messages[0]!.content, 'sys')
    assert.equal(messages.at(-1)!.content, 'Bob: why?')
    assert.equal(messages.at(-3)!.content, 'Ann: question 9', 'the newest turn is kept')
    assert.ok(!messages.some((m) => m.content === 'Ann: question 0'))
    const tight = buildPrompt('sys', turns, 'Bob', 'why?', 50)
    assert.equal(tight.length, 2, 'no turn fits: system + question only')
  })
})

describe('replies fit the platform', () => {
  test('limits: Twitch 500, Discord 2000, Slack 4000, others 500', () => {
    assert.deepEqual(['twitch', 'discord', 'slack', 'local'].map(limitFor), [500, 2000, 4000, 500])
  })

  test('a short answer is whole (whitespace collapsed); a long one is cut at a word with an ellipsis', () => {
    assert.equal(fitReply('🤖 ', ' hi\n there ', 500), '🤖 hi there')
    const cut = fitReply('> ', 'alpha beta gamma delta', 15)
    assert.equal(cut, '> alpha beta…')
    assert.ok([...cut].length <= 15)
    const noSpace = fitReply('', 'x'.repeat(50), 10)
    assert.equal(noSpace, `${'x'.repeat(9)}…`)
    const emoji = fitReply('', '😀'.repeat(20), 10)
    assert.equal([...emoji].length, 10, 'counted in code points, never splitting an emoji')
  })
})

describe('config', () => {
  test('a community overrides key by key; an unknown key is refused', () => {
    const config = aiConfigSchema.parse({ max_tokens: 100, communities: { c1: { model: 'm', temperature: 0.2 } } })
    const c1 = configFor(config, 'c1')
    assert.equal(c1.model, 'm')
    assert.equal(c1.temperature, 0.2)
    assert.equal(c1.max_tokens, 100, 'not overridden: the module value')
    assert.equal(configFor(config, 'c2').temperature, 0.7)
    assert.equal(aiConfigSchema.safeParse({ communities: { c1: { tempature: 1 } } }).success, false)
    assert.equal(aiConfigSchema.safeParse({ temperature: 3 }).success, false)
  })
})

describe('providers', () => {
  test('AI_PROVIDER picks the backend and its base URL; the defaults are the documented ones', () => {
    assert.equal(providerFromEnv({}, 1000).name, 'ollama')
    assert.equal(providerFromEnv({}, 1000).url, 'http://127.0.0.1:11434/api/chat')
    assert.equal(providerFromEnv({ AI_PROVIDER: 'openai' }, 1000).url, 'https://api.openai.com/v1/chat/completions')
    assert.equal(
      providerFromEnv({ AI_PROVIDER: 'OpenAI', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/' }, 1000).url,
      'http://127.0.0.1:9/v1/chat/completions',
    )
    assert.throws(() => providerFromEnv({ AI_PROVIDER: 'gpt' }, 1000), /WB_CONFIG_INVALID|must be openai or ollama/)
  })

  test('an unreachable provider, an HTTP error and a malformed answer are ProviderErrors', async () => {
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/v1/chat/completions' ? 401 : 200, { 'content-type': 'application/json' })
      res.end(req.url === '/v1/chat/completions' ? '{"error":{"message":"bad key"}}' : '{"nothing":true}')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0, maxTokens: 5 }
    try {
      await assert.rejects(openAiProvider({ baseUrl: `${base}/v1`, timeoutMs: 1000 }).complete(request), (e) => {
        assert.ok(e instanceof ProviderError)
        assert.equal(e.status, 401)
        assert.equal(e.code, 'WB_AI_PROVIDER_FAILED')
        assert.match(e.message, /bad key/)
        return true
      })
      await assert.rejects(ollamaProvider({ url: base, timeoutMs: 1000 }).complete(request), /no message.content/)
    } finally {
      server.close()
    }
    await assert.rejects(ollamaProvider({ url: base, timeoutMs: 1000 }).complete(request), (e) => {
      assert.ok(e instanceof ProviderError)
      assert.equal(e.status, 0)
      assert.equal(e.timedOut, false)
      return true
    })
  })
})
