/**
 * The ai module's public face: the shape of `GET /api/v1/ai/usage` and a client for it (the dashboard shows
 * today's tokens per community).
 */

export interface AiUsage {
  readonly provider: string
  readonly model: string
  /** Today, UTC (`2026-12-03`). */
  readonly day: string
  readonly today: readonly {
    readonly community_id: string
    readonly tokens: number
    readonly answers: number
    /** 0 = no cap */
    readonly daily_token_cap: number
  }[]
  /** Per community per day, newest day first. */
  readonly history: readonly { community_id: string; day: string; tokens: number; answers: number }[]
}

/** `GET {aiUrl}/api/v1/ai/usage` with an admin key (or the service key). Rejects on any failure. */
export async function fetchAiUsage(aiUrl: string, key: string | undefined, timeoutMs = 3000): Promise<AiUsage> {
  const res = await fetch(`${aiUrl.replace(/\/$/, '')}/api/v1/ai/usage?days=1`, {
    headers: key ? { 'x-api-key': key } : {},
    signal: AbortSignal.timeout(timeoutMs),
  })
  if (!res.ok) throw new Error(`ai usage answered ${res.status}`)
  const body = (await res.json()) as AiUsage
  if (!Array.isArray(body?.today)) throw new Error('ai usage: not an ai module answer')
  return body
}
