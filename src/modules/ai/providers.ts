/**
 * The provider port and its two backends, chosen by `AI_PROVIDER` (CONTRACT §9): OpenAI-compatible
 * (`POST {OPENAI_BASE_URL}/chat/completions`, bearer `OPENAI_API_KEY`) and Ollama
 * (`POST {OLLAMA_URL}/api/chat`, `stream: false`). Plain fetch; a deadline per call; failures are
 * {@link ProviderError}s (coded WB_AI_PROVIDER_FAILED) carrying the HTTP status (0 = unreachable / timed out).
 */
import { WaddleError } from '../../runtime/errors.js'

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1'
export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434'
export const DEFAULT_MODELS = { openai: 'gpt-4o-mini', ollama: 'llama3.2' } as const

export type ProviderName = keyof typeof DEFAULT_MODELS

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant'
  readonly content: string
}

export interface CompletionRequest {
  readonly model: string
  readonly messages: readonly ChatMessage[]
  readonly temperature: number
  readonly maxTokens: number
}

export interface Completion {
  readonly text: string
  /** Tokens the provider reported (prompt + answer); undefined when it reported none. */
  readonly tokens: number | undefined
}

export interface Provider {
  readonly name: ProviderName
  /** Where it sends requests (shown by the status route; never a key). */
  readonly url: string
  readonly defaultModel: string
  complete(request: CompletionRequest, signal?: AbortSignal): Promise<Completion>
}

/** A provider call that failed: `status` is the HTTP status, 0 when there was no answer (unreachable, timeout). */
export class ProviderError extends WaddleError {
  constructor(
    readonly provider: ProviderName,
    readonly status: number,
    reason: string,
    readonly timedOut = false,
  ) {
    super('WB_AI_PROVIDER_FAILED', { provider, reason })
  }
}

async function post(
  provider: ProviderName,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<unknown> {
  const deadline = AbortSignal.timeout(timeoutMs)
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
    })
  } catch (error) {
    const timedOut = deadline.aborted
    throw new ProviderError(
      provider,
      0,
      timedOut ? `no answer within ${timeoutMs} ms` : (error as Error).message,
      timedOut,
    )
  }
  const text = await res.text().catch(() => '')
  if (!res.ok) {
    let reason = text.slice(0, 200)
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string } | string }
      reason = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? reason)
    } catch {}
    throw new ProviderError(provider, res.status, `HTTP ${res.status}: ${reason}`)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw new ProviderError(provider, res.status, 'the answer is not JSON')
  }
}

export function openAiProvider(options: {
  baseUrl?: string | undefined
  apiKey?: string | undefined
  timeoutMs: number
}): Provider {
  const url = `${(options.baseUrl || DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, '')}/chat/completions`
  return {
    name: 'openai',
    url,
    defaultModel: DEFAULT_MODELS.openai,
    async complete(request, signal) {
      const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}
      const body = (await post(
        'openai',
        url,
        headers,
        {
          model: request.model,
          messages: request.messages,
          temperature: request.temperature,
          max_tokens: request.maxTokens,
        },
        options.timeoutMs,
        signal,
      )) as { choices?: { message?: { content?: unknown } }[]; usage?: { total_tokens?: unknown } }
      const text = body.choices?.[0]?.message?.content
      if (typeof text !== 'string')
        throw new ProviderError('openai', 200, 'the answer has no choices[0].message.content')
      const total = body.usage?.total_tokens
      return { text, tokens: typeof total === 'number' ? total : undefined }
    },
  }
}

export function ollamaProvider(options: { url?: string | undefined; timeoutMs: number }): Provider {
  const url = `${(options.url || DEFAULT_OLLAMA_URL).replace(/\/+$/, '')}/api/chat`
  return {
    name: 'ollama',
    url,
    defaultModel: DEFAULT_MODELS.ollama,
    async complete(request, signal) {
      const body = (await post(
        'ollama',
        url,
        {},
        {
          model: request.model,
          messages: request.messages,
          stream: false,
          options: { temperature: request.temperature, num_predict: request.maxTokens },
        },
        options.timeoutMs,
        signal,
      )) as { message?: { content?: unknown }; prompt_eval_count?: unknown; eval_count?: unknown }
      const text = body.message?.content
      if (typeof text !== 'string') throw new ProviderError('ollama', 200, 'the answer has no message.content')
      const counts = [body.prompt_eval_count, body.eval_count].filter((n): n is number => typeof n === 'number')
      return { text, tokens: counts.length > 0 ? counts.reduce((a, b) => a + b, 0) : undefined }
    },
  }
}

/**
 * The provider `AI_PROVIDER` names (`openai` | `ollama`; default ollama, the one that needs no key).
 * @throws WaddleError WB_CONFIG_INVALID for another value
 */
export function providerFromEnv(env: NodeJS.ProcessEnv, timeoutMs: number): Provider {
  const name = (env.AI_PROVIDER || 'ollama').toLowerCase()
  if (name === 'openai') return openAiProvider({ baseUrl: env.OPENAI_BASE_URL, apiKey: env.OPENAI_API_KEY, timeoutMs })
  if (name === 'ollama') return ollamaProvider({ url: env.OLLAMA_URL, timeoutMs })
  throw new WaddleError('WB_CONFIG_INVALID', { key: 'AI_PROVIDER', reason: `must be openai or ollama, got ${name}` })
}
