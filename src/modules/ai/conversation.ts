/**
 * A channel's conversation: the last turns (question + answer) kept in the cache under
 * `ai:context:<entity_id>`, so every replica of the ai module (in-process cache or Redis) reads the same
 * history, and the prompt built from it, trimmed to a token budget.
 *
 * Token estimate (no tokenizer is bundled): ⌈characters / 4⌉ per message plus 4 for its role and framing,
 * the usual rule of thumb for English text with OpenAI and Llama tokenizers. It errs a little high for
 * English and low for emoji-heavy text; the budget is a guard, not an invoice (caps count the provider's
 * own figures when it reports them).
 */
import type { Cache } from '../../runtime/cache/types.js'
import type { ChatMessage } from './providers.js'

export interface Turn {
  /** Who asked (display name). */
  readonly user: string
  readonly question: string
  readonly answer: string
  readonly at: number
}

export const contextKey = (entityId: string) => `ai:context:${entityId}`

/** Estimated tokens of one message (see the file comment). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 4
}

export const estimateMessages = (messages: readonly ChatMessage[]) =>
  messages.reduce((n, m) => n + estimateTokens(m.content), 0)

export async function readTurns(cache: Cache, entityId: string): Promise<Turn[]> {
  const turns = await cache.get<Turn[]>(contextKey(entityId))
  return Array.isArray(turns) ? turns : []
}

/**
 * Appends a turn, keeping the last `keep`; the key lives `ttlMs` after the last question. Read-modify-write:
 * two answers finishing at the same instant in two replicas may keep only one of the two turns.
 */
export async function appendTurn(cache: Cache, entityId: string, turn: Turn, keep: number, ttlMs: number) {
  if (keep <= 0) return
  const turns = [...(await readTurns(cache, entityId)), turn].slice(-keep)
  await cache.set(contextKey(entityId), turns, ttlMs)
}

/**
 * The messages sent to the model: the system prompt, the remembered turns (newest kept first), and the
 * question. Oldest turns are dropped until the estimate fits `budget`; the system prompt and the question are
 * always sent.
 */
export function buildPrompt(
  system: string,
  turns: readonly Turn[],
  asker: string,
  question: string,
  budget: number,
): ChatMessage[] {
  const head: ChatMessage[] = system ? [{ role: 'system', content: system }] : []
  const last: ChatMessage = { role: 'user', content: `${asker}: ${question}` }
  let used = estimateMessages(head) + estimateTokens(last.content)
  const kept: ChatMessage[] = []
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i]!
    const pair: ChatMessage[] = [
      { role: 'user', content: `${t.user}: ${t.question}` },
      { role: 'assistant', content: t.answer },
    ]
    const cost = estimateMessages(pair)
    if (used + cost > budget) break
    used += cost
    kept.unshift(...pair)
  }
  return [...head, ...kept, last]
}
