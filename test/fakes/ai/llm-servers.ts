/**
 * Fake LLM providers on 127.0.0.1 (port 0) for the ai module's tests and benchmark: an OpenAI-compatible
 * server (`POST /chat/completions`, bearer key checked, `usage` in the answer) and an Ollama server
 * (`POST /api/chat` with `stream: false`, `prompt_eval_count` / `eval_count` in the answer). Both record
 * every request and answer with `reply(messages)` (default: "echo: <last user message>"), after `delayMs`;
 * `failWith` makes them answer that HTTP status instead. Point the module at them with
 * `OPENAI_BASE_URL=<fake.url>` or `OLLAMA_URL=<fake.url>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ChatMessage {
  readonly role: string
  readonly content: string
}

export interface RecordedRequest {
  readonly path: string
  readonly headers: IncomingMessage['headers']
  // biome-ignore lint/suspicious/noExplicitAny: the JSON body as the client sent it
  readonly body: any
}

export interface FakeLlm {
  readonly url: string
  readonly requests: RecordedRequest[]
  /** What the model answers; change it between tests. */
  reply: (messages: readonly ChatMessage[]) => string
  /** Milliseconds before answering (a slow provider). */
  delayMs: number
  /** Answer this status (with an error body) instead of a reply. */
  failWith: number | undefined
  close(): Promise<void>
}

/** A rough token count the fakes report (4 characters a token, at least 1). */
const tokensOf = (text: string) => Math.max(1, Math.ceil(text.length / 4))

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      data += chunk
    })
    req.on('end', () => resolve(data))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const echo = (messages: readonly ChatMessage[]) =>
  `echo: ${[...messages].reverse().find((m) => m.role === 'user')?.content ?? ''}`

async function startFake(
  path: string,
  answer: (fake: FakeLlm, body: { messages: ChatMessage[]; model: string }) => unknown,
  authorize: (req: IncomingMessage) => boolean,
): Promise<FakeLlm> {
  const pending = new Set<NodeJS.Timeout>()
  const fake: FakeLlm = {
    url: '',
    requests: [],
    reply: echo,
    delayMs: 0,
    failWith: undefined,
    close: async () => {
      for (const t of pending) clearTimeout(t)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server = createServer(async (req, res) => {
    const raw = await readBody(req)
    if (req.method !== 'POST' || req.url !== path) return send(res, 404, { error: 'not found' })
    if (!authorize(req)) return send(res, 401, { error: { message: 'Incorrect API key provided' } })
    let body: { messages: ChatMessage[]; model: string }
    try {
      body = JSON.parse(raw)
    } catch {
      return send(res, 400, { error: { message: 'invalid JSON' } })
    }
    fake.requests.push({ path, headers: req.headers, body })
    const respond = () => {
      if (fake.failWith !== undefined) return send(res, fake.failWith, { error: { message: 'the fake is failing' } })
      send(res, 200, answer(fake, body))
    }
    if (fake.delayMs <= 0) return respond()
    const t = setTimeout(() => {
      pending.delete(t)
      respond()
    }, fake.delayMs)
    pending.add(t)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  Object.assign(fake, { url: `http://127.0.0.1:${port}` })
  return fake
}

/** An OpenAI-compatible `/chat/completions` that requires `Authorization: Bearer <apiKey>`. */
export function startFakeOpenAi(apiKey: string): Promise<FakeLlm> {
  return startFake(
    '/chat/completions',
    (fake, body) => {
      const content = fake.reply(body.messages)
      const prompt = body.messages.reduce((n, m) => n + tokensOf(m.content), 0)
      const completion = tokensOf(content)
      return {
        id: `chatcmpl-${fake.requests.length}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      }
    },
    (req) => req.headers.authorization === `Bearer ${apiKey}`,
  )
}

/** An Ollama `/api/chat` (non-streaming answers only). */
export function startFakeOllama(): Promise<FakeLlm> {
  return startFake(
    '/api/chat',
    (fake, body) => {
      const content = fake.reply(body.messages)
      return {
        model: body.model,
        created_at: new Date().toISOString(),
        message: { role: 'assistant', content },
        done: true,
        prompt_eval_count: body.messages.reduce((n, m) => n + tokensOf(m.content), 0),
        eval_count: tokensOf(content),
      }
    },
    () => true,
  )
}
